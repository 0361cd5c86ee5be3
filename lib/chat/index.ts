export * from "./conversations";
export { sendChat, CHAT_MAX_OUTPUT_TOKENS, type ChatStreamEvent, type DoneEvent, type SendChatInput, type SendChatResult, type ReplyStatus } from "./send";
export { trackInflight, stopInflight } from "./inflight";
export { chatModelList, type ChatModel } from "./models";
