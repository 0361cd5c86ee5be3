import { countTokens as countO200k } from "gpt-tokenizer/encoding/o200k_base";

/** A user's text is never a control sequence: "<|endoftext|>" typed in a message is just text. */
const AS_TEXT = { disallowedSpecial: new Set<string>() };

/** BPE cost grows with the square of a run without spaces; runs longer than this are counted in slices. */
const MAX_RUN = 256;

/** Whether a UTF-16 code unit is whitespace as a regular expression's `\\s` has it. */
function isSpace(c: number): boolean {
  if (c <= 32) return c === 32 || (c >= 9 && c <= 13);
  if (c < 160) return false;
  return (
    c === 160 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff
  );
}

/**
 * Whether `text` (from `from` on) has a run of more than MAX_RUN code units without whitespace:
 * `/\\S{257,}/.test`, in one pass (the expression retried the run from every position).
 */
export function hasLongRun(text: string, from = 0): boolean {
  let run = 0;
  for (let i = from; i < text.length; i++) {
    if (isSpace(text.charCodeAt(i))) run = 0;
    else if (++run > MAX_RUN) return true;
  }
  return false;
}

/**
 * Tokens of a text with the o200k_base encoding (GPT-4o family); special tokens count as text.
 * Exact for ordinary text. A run of thousands of characters without a space is counted in slices
 * (off by at most one token per slice), so hostile text cannot stall the process.
 */
export function countTokens(text: string): number {
  if (!text) return 0;
  if (!hasLongRun(text)) return countO200k(text, AS_TEXT);
  let n = 0;
  for (const part of text.split(/(\s+)/)) {
    if (part.length <= MAX_RUN) n += part ? countO200k(part, AS_TEXT) : 0;
    else for (let i = 0; i < part.length; i += MAX_RUN) n += countO200k(part.slice(i, i + MAX_RUN), AS_TEXT);
  }
  return n;
}

export type ChatContent = string | ReadonlyArray<{ type: string; text?: string }>;
/**
 * A chat message as it is counted: its text, plus what a tool-using or vision request adds —
 * content parts (images), the assistant's tool calls (name and arguments) and a tool result's call id.
 */
export type ChatMessage = {
  role: string;
  content: ChatContent | null;
  parts?: ReadonlyArray<{ type: string; text?: string }>;
  toolCalls?: ReadonlyArray<{ id?: string; function: { name: string; arguments: string } }>;
  toolCallId?: string;
  /** What this message's images count for when their sizes are known (a chat attachment); else IMAGE_TOKENS each. */
  imageTokens?: number;
};

/** Per-message framing of the chat format (<|im_start|>role … <|im_end|>) and the reply primer. */
const TOKENS_PER_MESSAGE = 3;
const REPLY_PRIMER = 3;
/** Framing of one tool call in an assistant turn, and of a request's tool definitions. */
const TOKENS_PER_TOOL_CALL = 3;
const TOKENS_FOR_DEFINITIONS = 3;
/**
 * What one image costs as input: OpenAI's high-detail price of a 1024×1024 image (85 + 4 tiles × 170).
 * The size is not known without fetching it; a provider's own usage report, when it sends one, is charged.
 */
export const IMAGE_TOKENS = 765;

function textOf(content: ChatContent | null): string {
  if (content === null) return "";
  if (typeof content === "string") return content;
  return content.map((p) => (p.type === "text" && p.text ? p.text : "")).join("");
}

/** The text a message is counted by: its content, its tool calls' names and arguments, a tool result's call id. */
function countedText(m: ChatMessage): string {
  let t = textOf(m.content);
  if (m.toolCallId) t += m.toolCallId;
  if (m.toolCalls) for (const c of m.toolCalls) t += c.function.name + c.function.arguments;
  return t;
}

function fixedTokens(m: ChatMessage): number {
  let n = TOKENS_PER_MESSAGE + (m.toolCalls ? m.toolCalls.length * TOKENS_PER_TOOL_CALL : 0);
  const parts = m.parts ?? (typeof m.content === "string" || m.content === null ? undefined : m.content);
  if (parts && m.imageTokens !== undefined && parts.some((p) => p.type === "image_url")) n += m.imageTokens;
  else if (parts) for (const p of parts) if (p.type === "image_url") n += IMAGE_TOKENS;
  return n;
}

/** Counts one text's tokens: countTokens, or a TokenCountCache's count for one user. */
export type TextCounter = (text: string) => number;

/** Prompt tokens of a chat, framing included: what a model bills as input for these messages. */
export function countChatTokens(messages: ReadonlyArray<ChatMessage>, count: TextCounter = countTokens): number {
  let n = REPLY_PRIMER;
  for (const m of messages) n += fixedTokens(m) + countTokens(m.role) + count(countedText(m));
  return n;
}

/** Prompt tokens of a request's definitions (tools, a JSON schema for the reply), sent as JSON text; 0 when none. */
export function countDefinitionTokens(definitions: string, count: TextCounter = countTokens): number {
  return definitions ? TOKENS_FOR_DEFINITIONS + count(definitions) : 0;
}

/** A TokenCountCache key: a user id cannot contain NUL, so scopes never run into each other. */
const keyOf = (scope: string, text: string) => `${scope}\u0000${text}`;

/**
 * Remembers the counts of long texts that come again and again: an agent's tool definitions and
 * system prompt, and a conversation's history, which clients send whole with every request.
 * Counting is exact either way (countTokens is a pure function of the text); remembering only
 * spares the work. Entries are kept per scope (a user), so no one can tell from the time a request
 * takes whether another user sent a text. Bounded by the characters it holds, oldest use out first.
 */
export class TokenCountCache {
  private readonly entries = new Map<string, number>();
  private chars = 0;

  constructor(
    private readonly opts: {
      /** Characters of remembered text (keys) at most. */
      maxChars: number;
      /** Shorter texts are counted each time: remembering them costs about what counting does. */
      minChars: number;
    } = { maxChars: 4_000_000, minChars: 256 },
  ) {}

  /** Token count of `text` for `scope` (a user id). */
  count(scope: string, text: string): number {
    if (text.length < this.opts.minChars || text.length > this.opts.maxChars / 8) return countTokens(text);
    const key = keyOf(scope, text);
    const hit = this.entries.get(key);
    if (hit !== undefined) {
      // Most recently used last: the Map's order is the eviction order.
      this.entries.delete(key);
      this.entries.set(key, hit);
      return hit;
    }
    const n = countTokens(text);
    this.entries.set(key, n);
    this.chars += key.length;
    for (const k of this.entries.keys()) {
      if (this.chars <= this.opts.maxChars) break;
      this.entries.delete(k);
      this.chars -= k.length;
    }
    return n;
  }

  /** A counter for one scope. */
  counter(scope: string): TextCounter {
    return (text) => this.count(scope, text);
  }

  /** Whether `text`'s count for `scope` is remembered (does not count as a use). */
  has(scope: string, text: string): boolean {
    return this.entries.has(keyOf(scope, text));
  }

  get size(): number {
    return this.entries.size;
  }
}

/**
 * The definitions a request adds to its prompt, as the text they are counted by: the tools and a
 * json_schema response format, serialized as sent. The same function sizes the hold and the demo
 * upstream's usage, so both count the same.
 */
export function definitionsText(p: { tools?: unknown; response_format?: unknown }): string {
  let t = "";
  if (Array.isArray(p.tools) && p.tools.length > 0) t += JSON.stringify(p.tools);
  const rf = p.response_format as { type?: unknown; json_schema?: unknown } | null | undefined;
  if (rf && rf.type === "json_schema" && rf.json_schema !== undefined) t += JSON.stringify(rf.json_schema);
  return t;
}

const FRAMING = countChatTokens([]);
const PER_MESSAGE = countChatTokens([{ role: "", content: "" }]) - FRAMING;

/** At least countChatTokens, without tokenizing: no token is shorter than one UTF-8 byte. */
export function chatTokensUpperBound(messages: ReadonlyArray<ChatMessage>): number {
  let n = FRAMING;
  for (const m of messages) n += PER_MESSAGE - TOKENS_PER_MESSAGE + fixedTokens(m) + Buffer.byteLength(m.role) + Buffer.byteLength(countedText(m));
  return n;
}

/**
 * Counts a growing text as it grows, in time proportional to what was added: the part up to the
 * last safe boundary is counted once and kept. A safe boundary is just after a line break that
 * is followed by neither whitespace nor "/": o200k's pre-tokenizer never joins text across it, so
 * the count of the whole equals the count of the parts (the property test in tokens-bound.test.ts).
 */
export class GrowingCount {
  private safeAt = 0;
  private safeTokens = 0;

  private whole = false;

  /** The token count of `text`, which must extend every text passed before. */
  count(text: string): number {
    // A run long enough to be counted in slices changes how the whole text is split: from then on
    // count it whole, as countTokens does.
    if (this.whole || hasLongRun(text, Math.max(0, this.safeAt - MAX_RUN))) {
      this.whole = true;
      return countTokens(text);
    }
    let boundary = -1;
    for (let i = text.length - 1; i > this.safeAt; i--) {
      if (text.charCodeAt(i - 1) === 10 && !/[\s/]/.test(text[i]!)) {
        boundary = i;
        break;
      }
    }
    if (boundary > 0) {
      this.safeTokens += countTokens(text.slice(this.safeAt, boundary));
      this.safeAt = boundary;
    }
    return this.safeTokens + countTokens(text.slice(this.safeAt));
  }
}
