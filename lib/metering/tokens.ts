import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";

/** A user's text is never a control sequence: "<|endoftext|>" typed in a message is just text. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** BPE cost grows with the square of a run without spaces; runs longer than this are counted in slices. */
const MAX_RUN = 256;
const LONG_RUN = new RegExp(`\\S{${MAX_RUN + 1},}`);

/**
 * Tokens of a text with the o200k_base encoding (GPT-4o family); special tokens count as text.
 * Exact for ordinary text. A run of thousands of characters without a space is counted in slices
 * (off by at most one token per slice), so hostile text cannot stall the process.
 */
export function countTokens(text: string): number {
  if (!text) return 0;
  if (!LONG_RUN.test(text)) return countO200k(text, AS_TEXT);
  let n = 0;
  for (const part of text.split(/(\s+)/)) {
    if (part.length <= MAX_RUN) n += part ? countO200k(part, AS_TEXT) : 0;
    else for (let i = 0; i < part.length; i += MAX_RUN) n += countO200k(part.slice(i, i + MAX_RUN), AS_TEXT);
  }
  return n;
}

export type ChatContent = string | ReadonlyArray<{ type: string; text?: string }>;
export type ChatMessage = { role: string; content: ChatContent };

/** Per-message framing of the chat format (<|im_start|>role … <|im_end|>) and the reply primer. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMER = 3;

function textOf(content: ChatContent): string {
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" && p.text ? p.text : "")).join("");
}

/** Prompt tokens of a chat, framing included: what a model bills as input for these messages. */
export function countChatTokens(messages: ReadonlyArray<ChatMessage>): number {
  let n = REPLY_PRIMER;
  for (const m of messages) n += TOKENS_PER_MESSAGE + countTokens(m.role) + countTokens(textOf(m.content));
  return n;
}

const FRAMING = countChatTokens([]);
const PER_MESSAGE = countChatTokens([{ role: "", content: "" }]) - FRAMING;

/** At least countChatTokens, without tokenizing: no token is shorter than one UTF-8 byte. */
export function chatTokensUpperBound(messages: ReadonlyArray<{ role: string; content: string }>): number {
  let n = FRAMING;
  for (const m of messages) n += PER_MESSAGE + Buffer.byteLength(m.role) + Buffer.byteLength(m.content);
  return n;
}
