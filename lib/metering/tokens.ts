import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";

/** A user's text is never a control sequence: "<|endoftext|>" typed in a message is just text. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** Tokens of a text with the o200k_base encoding (GPT-4o family); special tokens count as text. */
export function countTokens(text: string): number {
  if (!text) return 0;
  return countO200k(text, AS_TEXT);
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
