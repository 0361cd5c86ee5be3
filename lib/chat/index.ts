export * from "./conversations";
export { sendChat, CHAT_MAX_OUTPUT_TOKENS, type ChatStreamEvent, type DoneEvent, type SendChatInput, type SendChatResult, type ReplyStatus } from "./send";
export { selectBranch, currentBranch, loadConversationTree } from "./history";
export { trackInflight, stopInflight } from "./inflight";
export { chatModelList, type ChatModel } from "./models";
export { quoteChat, type ChatQuote, type QuoteFailure } from "./quote";
export { typicalReplyTokens, TYPICAL_REPLY_DEFAULT_TOKENS, type TypicalReply } from "./typical-reply";
export {
  getConfirmThresholds,
  setOwnConfirmThreshold,
  setMemberConfirmThreshold,
  confirmGate,
  sharedConfirmGate,
  CONFIRM_THRESHOLD_MAX,
  type ConfirmThresholds,
} from "./confirm-threshold";
