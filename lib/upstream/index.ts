export {
  streamCompletion,
  pushCompletion,
  type PushCall,
  type StreamSink,
  type StreamHandle,
  type StreamEvent,
  type StreamUsage,
  type StreamCompletionInput,
  type CompletionMessage,
  type ChatRole,
  type ToolCall,
  type ToolCallDelta,
  type ContentPart,
} from "./stream";
export { UpstreamError, toUpstreamError, type UpstreamErrorCode, type UpstreamErrorPhase } from "./errors";
