/**
 * streamCompletion: one streaming call to an OpenAI-compatible upstream (a live provider or
 * the demo upstream), as a flat async iterable of events.
 *
 * Event order: zero or more `text` / `reasoning` events, then exactly one terminal event:
 *   - `usage`  the stream finished. `tokensIn` / `tokensOut` are what the provider reported:
 *              a number (0 included: an explicit zero is honoured) or `null` when the provider
 *              sent no usage at all (then count the delivered text with the tokenizer).
 *   - `error`  an UpstreamError; `error.phase` says whether any text was delivered first
 *              ("before-first-token": release the hold / try another route; "after-first-token":
 *              settle for what was delivered).
 *
 * Nothing is buffered: each upstream delta is yielded as soon as its SSE event is complete.
 * Pass `signal` to stop early; to keep reading for the real usage after a client leaves, don't
 * forward the client's signal (use your own, with a deadline).
 *
 * The protocol is OpenAI's chat completions stream (`stream_options.include_usage`), spoken
 * directly over undici's keep-alive connection pools: this sits on every reply's time to first
 * token, and a general SDK's layers (request building, chained web streams, a schema check per
 * chunk) add to it (README, Benchmarks). What it reads is what the gateway and chat need: text,
 * reasoning (`reasoning_content` / `reasoning`), refusals, tool calls, finish reason, usage, SSE errors.
 */
import { StringDecoder } from "node:string_decoder";
import { Agent } from "undici";
import type { ResolvedRoute } from "@/lib/catalog";
import { UpstreamError, codeForStatus, toUpstreamError, type UpstreamErrorPhase } from "./errors";

export type ChatRole = "system" | "user" | "assistant" | "tool";
/** A tool call an assistant made, as OpenAI's messages carry it. */
export type ToolCall = { id: string; type: "function"; function: { name: string; arguments: string } };
/** A content part sent as is: text, or an image for a vision model. */
export type ContentPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string; detail?: "auto" | "low" | "high" } };
/**
 * A message as the pipeline holds it: `content` is its text (what is counted and shown); `parts`
 * replace it on the wire when it has images; an assistant turn may carry `toolCalls`, a tool
 * turn answers `toolCallId`.
 */
export type CompletionMessage = {
  role: ChatRole;
  content: string;
  parts?: ContentPart[];
  toolCalls?: ToolCall[];
  toolCallId?: string;
  name?: string;
  /** What the images in `parts` count for in the hold, when their sizes are known (never sent). */
  imageTokens?: number;
};
/** A piece of a streamed tool call: the first piece of a call has its id and name, later ones more arguments. */
export type ToolCallDelta = { index: number; id?: string; name?: string; arguments: string };

export type StreamCompletionInput = {
  route: Pick<ResolvedRoute, "providerId" | "providerModelId" | "baseUrl" | "apiKey" | "kind" | "extraBody">;
  messages: CompletionMessage[];
  maxOutputTokens: number;
  signal?: AbortSignal;
  /** Extra request headers (e.g. x-demo-* knobs for the demo upstream); they never replace the call's own. */
  headers?: Record<string, string>;
  temperature?: number;
  /**
   * OpenAI request fields passed as they are (tools, tool_choice, response_format, stop, seed,
   * sampling, user); validated by the caller. They never replace model, messages, max_tokens or stream.
   */
  params?: Record<string, unknown>;
  /** Retries of retryable failures before the first byte. Default 0: the caller decides. */
  maxRetries?: number;
  /** Called once the provider has accepted the call (its response headers arrived). */
  onOpen?: () => void;
};

export type StreamUsage = {
  type: "usage";
  /** Prompt tokens the provider reported; null = not reported. */
  tokensIn: number | null;
  /** Completion tokens (reasoning included) the provider reported; null = not reported. */
  tokensOut: number | null;
  /** Cached prompt tokens, when reported. */
  cachedIn: number | null;
  /** Reasoning tokens inside tokensOut, when reported. */
  reasoningOut: number | null;
  /** True when the provider sent any usage. */
  reported: boolean;
  finishReason: string;
  /** Milliseconds from the call to the first text/reasoning delta (null if none). */
  ttftMs: number | null;
};

export type StreamEvent =
  | { type: "text"; text: string }
  | { type: "reasoning"; text: string }
  | ({ type: "tool_call" } & ToolCallDelta)
  | StreamUsage
  | { type: "error"; error: UpstreamError };

/**
 * A provider that does not accept the connection within this long counts as down (a timeout before
 * the first token: lib/routing moves the request to the next route). undici's default is 10 s.
 */
const CONNECT_TIMEOUT_MS = 5_000;

/**
 * One connection pool per upstream origin (keep-alive, up to 512 connections each). undici's
 * dispatcher hands each body chunk to a callback as it is parsed: no Readable stream between
 * the socket and the SSE parser, and the request is written on the call, not a tick later.
 */
const dispatcher = new Agent({ connections: 512, pipelining: 1, connect: { timeout: CONNECT_TIMEOUT_MS } });

/** Where a base URL's chat completions go: parsed once per base URL, not per call. */
type Target = { origin: string; path: string };
const targets = new Map<string, Target>();
function targetFor(baseUrl: string): Target {
  let t = targets.get(baseUrl);
  if (!t) {
    const url = new URL(`${baseUrl.replace(/\/+$/, "")}/chat/completions`);
    t = { origin: url.origin, path: url.pathname + url.search };
    if (targets.size >= 1024) targets.clear();
    targets.set(baseUrl, t);
  }
  return t;
}

/** Headers the call itself sets; a caller's extra headers cannot replace them. */
const FIXED_HEADERS = new Set(["host", "content-type", "accept", "user-agent", "authorization", "content-length", "connection", "transfer-encoding"]);

function abortError(signal: AbortSignal | undefined): Error {
  const r = signal?.reason;
  return r instanceof Error ? r : new DOMException("This operation was aborted", "AbortError");
}

/** A message on the wire: plain ones go as they are; images, tool calls and tool results in OpenAI's shape. */
function wireMessage(m: CompletionMessage): unknown {
  if (!m.parts && !m.toolCalls && m.toolCallId === undefined && m.name === undefined && m.imageTokens === undefined) return m;
  return {
    role: m.role,
    content: m.parts ?? (m.toolCalls && m.content === "" ? null : m.content),
    ...(m.name === undefined ? {} : { name: m.name }),
    ...(m.toolCalls ? { tool_calls: m.toolCalls } : {}),
    ...(m.toolCallId === undefined ? {} : { tool_call_id: m.toolCallId }),
  };
}

/** The request body: the same fields an OpenAI client sends for a streamed chat. */
function requestBody(input: StreamCompletionInput): string {
  return JSON.stringify({
    ...input.params,
    // The route's own fields win over the client's (they are what the slug means on this route).
    ...input.route.extraBody,
    model: input.route.providerModelId,
    messages: input.messages.some((m) => m.parts || m.toolCalls || m.toolCallId !== undefined || m.name !== undefined || m.imageTokens !== undefined)
      ? input.messages.map(wireMessage)
      : input.messages,
    max_tokens: input.maxOutputTokens,
    ...(input.temperature === undefined ? {} : { temperature: input.temperature }),
    stream: true,
    stream_options: { include_usage: true },
  });
}

/** The provider's error message from an error body (`{error:{message}}`, `{message}` or text). */
function errorMessage(body: string, status: number): string {
  try {
    const j = JSON.parse(body) as { error?: { message?: unknown } | string; message?: unknown };
    const m = typeof j.error === "string" ? j.error : (j.error?.message ?? j.message);
    if (typeof m === "string" && m) return m;
  } catch {
    /* not JSON */
  }
  return body.trim().slice(0, 500) || `HTTP ${status}`;
}

/** Pieces of a body read ahead while the consumer is busy before the connection is paused. */
const READ_AHEAD = 16;

/**
 * An accepted response's body as text pieces, pulled one at a time. Filled by the dispatcher's
 * callbacks; reading pauses while READ_AHEAD pieces wait. `next()` rejects with the connection's
 * error (or the abort's reason); `close()` stops reading early.
 */
class ResponseBody {
  private queued: string[] = [];
  private waiter: { resolve: (v: string | null) => void; reject: (e: Error) => void } | null = null;
  private failure: Error | null = null;
  private paused = false;
  private complete = false;

  constructor(
    private readonly resume: () => void,
    private readonly abort: (err: Error) => void,
  ) {}

  /** Returns false when the reader is behind (the dispatcher pauses the connection). */
  push(piece: string): boolean {
    if (piece) this.queued.push(piece);
    this.wake();
    this.paused = this.queued.length >= READ_AHEAD;
    return !this.paused;
  }

  end(): void {
    this.complete = true;
    this.wake();
  }

  fail(err: Error): void {
    this.failure ??= err;
    this.wake();
  }

  close(): void {
    if (!this.complete && !this.failure) this.abort(new Error("the response was not read to its end"));
  }

  next(): Promise<string | null> {
    if (this.queued.length > 0) {
      const piece = this.queued.shift()!;
      if (this.paused && this.queued.length < READ_AHEAD / 2) {
        this.paused = false;
        this.resume();
      }
      return Promise.resolve(piece);
    }
    if (this.failure) return Promise.reject(this.failure);
    if (this.complete) return Promise.resolve(null);
    return new Promise((resolve, reject) => (this.waiter = { resolve, reject }));
  }

  private wake(): void {
    const w = this.waiter;
    if (!w) return;
    if (this.queued.length > 0) w.resolve(this.queued.shift()!);
    else if (this.failure) w.reject(this.failure);
    else if (this.complete) w.resolve(null);
    else return;
    this.waiter = null;
  }
}

/**
 * Sends the request; resolves with the body once the provider accepted the call (2xx headers),
 * rejects with an UpstreamError for an HTTP error, or with what the connection threw. The
 * caller's signal aborts the call at any point, the body's reading included.
 */
function open(input: StreamCompletionInput, body: string): Promise<ResponseBody> {
  const { route, signal } = input;
  const { origin, path } = targetFor(route.baseUrl);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const headers = ["content-type", "application/json", "accept", "text/event-stream", "user-agent", "unitoken"];
    if (route.apiKey) headers.push("authorization", `Bearer ${route.apiKey}`);
    // x-demo-* (knobs, the demo upstream's secret) go to the demo upstream only, never to a provider.
    const demo = route.kind === "demo";
    if (input.headers)
      for (const k in input.headers) {
        const name = k.toLowerCase();
        if (!FIXED_HEADERS.has(name) && (demo || !name.startsWith("x-demo-"))) headers.push(k, input.headers[k]!);
      }
    headers.push("content-length", String(Buffer.byteLength(body)));

    let abortCall: ((err: Error) => void) | null = null;
    let accepted: ResponseBody | null = null;
    let status = 0;
    let errorText = "";
    const decoder = new StringDecoder("utf8");
    const onAbort = () => abortCall?.(abortError(signal));
    signal?.addEventListener("abort", onAbort, { once: true });
    const done = () => signal?.removeEventListener("abort", onAbort);

    // undici refuses some requests outright (an invalid header value): no listener stays behind.
    try {
      dispatcher.dispatch(
        { origin, path, method: "POST", headers, body },
        {
          onConnect(abort) {
            abortCall = abort;
            if (signal?.aborted) abort(abortError(signal));
          },
          onHeaders(statusCode, _headers, resume) {
            status = statusCode;
            if (status >= 200 && status < 300) {
              accepted = new ResponseBody(resume, (err) => abortCall?.(err));
              resolve(accepted);
            }
            return true;
          },
          onData(chunk) {
            const text = decoder.write(chunk);
            if (accepted) return accepted.push(text);
            if (errorText.length < 64_000) errorText += text;
            return true;
          },
          onComplete() {
            done();
            const rest = decoder.end();
            if (accepted) {
              accepted.push(rest);
              accepted.end();
            } else {
              reject(
                new UpstreamError({
                  code: codeForStatus(status),
                  status,
                  phase: "before-first-token",
                  providerId: route.providerId,
                  message: errorMessage(errorText + rest, status),
                }),
              );
            }
          },
          onError(err) {
            done();
            const e = signal?.aborted ? abortError(signal) : err;
            if (accepted) accepted.fail(e);
            else reject(e);
          },
        },
      );
    } catch (err) {
      done();
      reject(err);
    }
  });
}

type ChunkUsage = {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
};
type ChunkPart = { type?: string; text?: unknown; thinking?: { type?: string; text?: unknown }[] };
type Chunk = {
  choices?: {
    delta?: {
      content?: string | ChunkPart[] | null;
      reasoning_content?: string | null;
      reasoning?: string | null;
      refusal?: string | null;
      tool_calls?: { index?: number; id?: string | null; function?: { name?: string | null; arguments?: string | null } | null }[] | null;
    } | null;
    finish_reason?: string | null;
  }[];
  usage?: ChunkUsage | null;
  error?: unknown;
};

/** A delta's text, reasoning and tool calls, in the order a provider can send them. */
function* deltaParts(
  delta: NonNullable<NonNullable<Chunk["choices"]>[number]["delta"]>,
): Generator<{ type: "text" | "reasoning"; text: string } | ({ type: "tool_call" } & ToolCallDelta)> {
  const reasoning = delta.reasoning_content ?? delta.reasoning;
  if (typeof reasoning === "string" && reasoning) yield { type: "reasoning", text: reasoning };
  const c = delta.content;
  if (typeof c === "string") {
    if (c) yield { type: "text", text: c };
  } else if (Array.isArray(c)) {
    for (const part of c) {
      if (part?.type === "text" && typeof part.text === "string" && part.text) yield { type: "text", text: part.text };
      else if (part?.type === "thinking" && Array.isArray(part.thinking)) {
        const t = part.thinking.map((x) => (x?.type === "text" && typeof x.text === "string" ? x.text : "")).join("");
        if (t) yield { type: "reasoning", text: t };
      }
    }
  }
  if (typeof delta.refusal === "string" && delta.refusal) yield { type: "text", text: delta.refusal };
  if (Array.isArray(delta.tool_calls))
    for (const [i, t] of delta.tool_calls.entries()) {
      const f = t?.function;
      const args = typeof f?.arguments === "string" ? f.arguments : "";
      const name = typeof f?.name === "string" && f.name ? f.name : undefined;
      const id = typeof t?.id === "string" && t.id ? t.id : undefined;
      if (!args && !name && !id) continue;
      yield {
        type: "tool_call",
        index: typeof t.index === "number" ? t.index : i,
        ...(id ? { id } : {}),
        ...(name ? { name } : {}),
        arguments: args,
      };
    }
}

export async function* streamCompletion(input: StreamCompletionInput): AsyncGenerator<StreamEvent, void, undefined> {
  const { route, signal } = input;
  const providerId = route.providerId;
  const started = performance.now();
  let delivered = false;
  let ttftMs: number | null = null;
  const phase = (): UpstreamErrorPhase => (delivered ? "after-first-token" : "before-first-token");
  const aborted = () => signal?.aborted === true;

  const body = requestBody(input);
  let pieces: ResponseBody | undefined;
  const attempts = 1 + Math.max(0, input.maxRetries ?? 0);
  for (let attempt = 1; !pieces; attempt++) {
    try {
      pieces = await open(input, body);
    } catch (err) {
      const error = toUpstreamError(err, { phase: "before-first-token", providerId, aborted: aborted() });
      if (error.retryable && attempt < attempts && !aborted()) continue;
      yield { type: "error", error };
      return;
    }
  }

  input.onOpen?.();

  let usage: ChunkUsage | undefined;
  let finishRaw: string | undefined;
  let buf = "";
  let data: string[] = [];
  try {
    for (;;) {
      let piece: string | null;
      try {
        piece = await pieces.next();
      } catch (err) {
        yield { type: "error", error: toUpstreamError(err, { phase: phase(), providerId, aborted: aborted() }) };
        return;
      }
      if (piece === null) break;
      buf += piece;
      let nl: number;
      while ((nl = buf.indexOf("\n")) >= 0) {
        const line = buf.charCodeAt(nl - 1) === 13 ? buf.slice(0, nl - 1) : buf.slice(0, nl);
        buf = buf.slice(nl + 1);
        if (line.startsWith("data:")) {
          data.push(line.slice(line.charCodeAt(5) === 32 ? 6 : 5));
          continue;
        }
        // event:, id:, retry: and comments carry nothing we use; a blank line ends the event.
        if (line !== "" || data.length === 0) continue;
        const payload = data.length === 1 ? data[0]! : data.join("\n");
        data = [];
        if (payload === "[DONE]") continue;
        let chunk: Chunk;
        try {
          chunk = JSON.parse(payload) as Chunk;
        } catch {
          yield {
            type: "error",
            error: new UpstreamError({
              code: delivered ? "upstream_stream_broken" : "upstream_error",
              phase: phase(),
              providerId,
              message: "invalid JSON in the stream",
            }),
          };
          return;
        }
        if (chunk.error != null) {
          yield { type: "error", error: toUpstreamError(chunk.error, { phase: phase(), providerId, aborted: aborted() }) };
          return;
        }
        if (chunk.usage) usage = chunk.usage;
        const choice = chunk.choices?.[0];
        if (choice?.finish_reason) finishRaw = choice.finish_reason;
        if (!choice?.delta) continue;
        for (const part of deltaParts(choice.delta)) {
          if (!delivered) {
            delivered = true;
            ttftMs = performance.now() - started;
          }
          yield part;
        }
      }
    }
  } finally {
    // Early exit (error, consumer break): stop reading the upstream.
    pieces.close();
  }
  if (finishRaw === undefined) {
    // The body ended without a finish reason: the stream was cut.
    yield {
      type: "error",
      error: new UpstreamError({
        code: aborted() ? "upstream_aborted" : delivered ? "upstream_stream_broken" : "upstream_unavailable",
        phase: phase(),
        providerId,
        message: "stream ended without a finish reason",
      }),
    };
    return;
  }
  // As OpenAI reports usage: absent (null: count it ourselves) or present, missing fields as 0.
  yield {
    type: "usage",
    tokensIn: usage ? (usage.prompt_tokens ?? 0) : null,
    tokensOut: usage ? (usage.completion_tokens ?? 0) : null,
    cachedIn: usage ? (usage.prompt_tokens_details?.cached_tokens ?? 0) : null,
    reasoningOut: usage ? (usage.completion_tokens_details?.reasoning_tokens ?? 0) : null,
    reported: usage !== undefined,
    finishReason: finishRaw,
    ttftMs,
  };
}
