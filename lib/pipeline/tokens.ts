import { countChatTokens as meterChatTokens, countTokens as meterTokens } from "@/lib/metering";
import type { PipelineMessage } from "./types";

/** BPE cost grows with the square of a run without spaces; runs longer than this are counted in slices. */
const MAX_RUN = 256;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}`);

/**
 * lib/metering's count, exact for ordinary text. A pasted run of thousands of characters
 * without a space is counted in slices (off by at most one token per slice) so a hostile
 * prompt cannot stall the server: 140,000 such characters take minutes in one piece.
 */
export function countTokens(text: string): number {
  if (!text) return 0;
  if (!LONG_RUN.test(text)) return meterTokens(text);
  let n = 0;
  for (const part of text.split(/(\s+)/)) {
    if (part.length <= MAX_RUN) n += meterTokens(part);
    else for (let i = 0; i < part.length; i += MAX_RUN) n += meterTokens(part.slice(i, i + MAX_RUN));
  }
  return n;
}

/** Prompt tokens of a chat, framing included (lib/metering's count, with the same guard). */
export function countChatTokens(messages: PipelineMessage[]): number {
  if (!messages.some((m) => LONG_RUN.test(m.content))) return meterChatTokens(messages);
  return meterChatTokens(messages.map((m) => ({ role: m.role, content: "" }))) + messages.reduce((s, m) => s + countTokens(m.content), 0);
}

const FRAMING = meterChatTokens([]);
const PER_MESSAGE = meterChatTokens([{ role: "", content: "" }]) - FRAMING;

/** At least countChatTokens, without tokenizing: no token is shorter than one UTF-8 byte. */
export function chatTokensUpperBound(messages: PipelineMessage[]): number {
  let n = FRAMING;
  for (const m of messages) n += PER_MESSAGE + Buffer.byteLength(m.role) + Buffer.byteLength(m.content);
  return n;
}
