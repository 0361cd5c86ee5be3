// The metered completion: reserve → stream → settle, shared by chat and the OpenAI-compatible API.
export { startMeteredCompletion, resolveCompletion, usageRequestId, DEFAULT_MAX_OUTPUT_TOKENS } from "./complete";
export { sizeHold, countPrompt, type HoldSize } from "./size";
export { completionVerdict, type StreamRecord, type CompletionVerdict } from "./outcome";
export { ProgressNotes } from "./progress";
export { flushAfterSettle, notifyAfterSettle } from "./alerts";
export { meteredEmbeddings, embeddingInputTokens, type EmbedInput, type EmbedSuccess } from "./embed";
export type * from "./types";
