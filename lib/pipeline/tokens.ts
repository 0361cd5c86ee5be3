import { countChatTokens as meterChatTokens, countTokens } from "@/lib/metering";
import type { PipelineMessage } from "./types";

/** The one token counter (lib/metering), guarded against hostile runs without spaces. */
export { countTokens };

/** Prompt tokens of a chat, framing included (lib/metering's count). */
export function countChatTokens(messages: PipelineMessage[]): number {
  return meterChatTokens(messages);
}

const FRAMING = meterChatTokens([]);
const PER_MESSAGE = meterChatTokens([{ role: "", content: "" }]) - FRAMING;

/** At least countChatTokens, without tokenizing: no token is shorter than one UTF-8 byte. */
export function chatTokensUpperBound(messages: PipelineMessage[]): number {
  let n = FRAMING;
  for (const m of messages) n += PER_MESSAGE + Buffer.byteLength(m.role) + Buffer.byteLength(m.content);
  return n;
}
