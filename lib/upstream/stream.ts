/**
 * One streaming call to an OpenAI-compatible upstream (a live provider or the demo upstream), as
 * events: `pushCompletion` hands each to a sink the moment it is parsed (what the pipeline uses),
 * `streamCompletion` gives the same as a flat async iterable.
 *
 * Event order: zero or more `text` / `reasoning` / `tool_call` events, then exactly one terminal event:
 *   - `usage`  the stream finished. `tokensIn` / `tokensOut` are what the provider reported:
 *              a number (0 included: an explicit zero is honoured) or `null` when the provider
 *              sent no usage at all (then count the delivered text with the tokenizer).
 *   - `error`  an UpstreamError; `error.phase` says whether any text was delivered first
 *              ("before-first-token": release the hold / try another route; "after-first-token":
 *              settle for what was delivered).
 *
 * Nothing is buffered: each upstream delta is handed over as soon as its SSE event is complete.
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
 * the socket and the SSE parser. A request is handed over on the call; on a reused connection
 * undici writes it in the event loop's next check phase, after reading what the idle socket may
 * hold (a close, stray bytes), so the caller leaves what it can until after that (lib/completion).
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

/** A message with nothing but a role and text: it goes on the wire as it is. */
function isPlain(m: CompletionMessage): boolean {
  return !m.parts && !m.toolCalls && m.toolCallId === undefined && m.name === undefined && m.imageTokens === undefined;
}

/** A message on the wire: plain ones go as they are; images, tool calls and tool results in OpenAI's shape. */
function wireMessage(m: CompletionMessage): unknown {
  if (isPlain(m)) return m;
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
    messages: input.messages.every(isPlain) ? input.messages : input.messages.map(wireMessage),
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

type OutputEvent = Exclude<StreamEvent, { type: "usage" } | { type: "error" }>;

/** A delta's text, reasoning and tool calls, handed to `out` in the order a provider can send them. */
function deltaParts(delta: NonNullable<NonNullable<Chunk["choices"]>[number]["delta"]>, out: (ev: OutputEvent) => void): void {
  const reasoning = delta.reasoning_content ?? delta.reasoning;
  if (typeof reasoning === "string" && reasoning) out({ type: "reasoning", text: reasoning });
  const c = delta.content;
  if (typeof c === "string") {
    if (c) out({ type: "text", text: c });
  } else if (Array.isArray(c)) {
    for (const part of c) {
      if (part?.type === "text" && typeof part.text === "string" && part.text) out({ type: "text", text: part.text });
      else if (part?.type === "thinking" && Array.isArray(part.thinking)) {
        const t = part.thinking.map((x) => (x?.type === "text" && typeof x.text === "string" ? x.text : "")).join("");
        if (t) out({ type: "reasoning", text: t });
      }
    }
  }
  if (typeof delta.refusal === "string" && delta.refusal) out({ type: "text", text: delta.refusal });
  if (Array.isArray(delta.tool_calls))
    for (const [i, t] of delta.tool_calls.entries()) {
      const f = t?.function;
      const args = typeof f?.arguments === "string" ? f.arguments : "";
      const name = typeof f?.name === "string" && f.name ? f.name : undefined;
      const id = typeof t?.id === "string" && t.id ? t.id : undefined;
      if (!args && !name && !id) continue;
      out({
        type: "tool_call",
        index: typeof t.index === "number" ? t.index : i,
        ...(id ? { id } : {}),
        ...(name ? { name } : {}),
        arguments: args,
      });
    }
}

/**
 * Where a call's events go, as each is parsed: called synchronously from the connection's own
 * callbacks, in order, the terminal event (`usage` or `error`) last and exactly once. A sink must
 * not throw (what it throws is logged and the call is stopped).
 */
export type StreamSink = (ev: StreamEvent) => void;

/** A call in progress: reading can be paused while its events wait, or stopped. */
export type StreamHandle = {
  /** Stop reading the body until resume() (the connection's flow control holds the provider back). */
  pause(): void;
  resume(): void;
  /** Stop the call now; nothing more reaches the sink. */
  close(): void;
};

/** A call made in the push style: `streamCompletion`'s events, each handed to the sink as it is parsed. */
export type PushCall = (input: StreamCompletionInput, sink: StreamSink) => StreamHandle;

/**
 * One streaming call, its events pushed to `sink` the moment each SSE event is complete: no
 * queue, promise or async iterator between the socket and the consumer, so a token costs one
 * synchronous pass from undici's callback to whoever forwards it.
 */
export function pushCompletion(input: StreamCompletionInput, sink: StreamSink): StreamHandle {
  const { route, signal } = input;
  const providerId = route.providerId;
  const { origin, path } = targetFor(route.baseUrl);
  const started = performance.now();
  const attempts = 1 + Math.max(0, input.maxRetries ?? 0);
  const body = requestBody(input);
  const aborted = () => signal?.aborted === true;

  let delivered = false;
  let ttftMs: number | null = null;
  const phase = (): UpstreamErrorPhase => (delivered ? "after-first-token" : "before-first-token");
  /** The terminal event went out (or the caller closed the call): nothing more is emitted. */
  let over = false;
  let paused = false;
  let resumeBody: (() => void) | null = null;
  let abortCall: ((err: Error) => void) | null = null;
  let accepted = false;

  const onAbort = () => abortCall?.(abortError(signal));

  const emit = (ev: StreamEvent) => {
    if (over) return;
    if (ev.type === "usage" || ev.type === "error") {
      over = true;
      signal?.removeEventListener("abort", onAbort);
    }
    try {
      sink(ev);
    } catch (err) {
      console.error("[upstream] stream consumer failed", err instanceof Error ? err.name : typeof err);
      over = true;
      abortCall?.(new Error("the stream's consumer failed"));
    }
  };
  const output = (ev: OutputEvent) => {
    if (!delivered) {
      delivered = true;
      ttftMs = performance.now() - started;
    }
    emit(ev);
  };
  /** A terminal event while the body is still coming: stop reading it. */
  const stopWith = (ev: StreamEvent) => {
    emit(ev);
    abortCall?.(new Error("the response was not read to its end"));
  };

  // ---- the SSE body, parsed as it comes ----
  let usage: ChunkUsage | undefined;
  let finishRaw: string | undefined;
  let buf = "";
  let data: string[] = [];
  const feed = (piece: string) => {
    if (over || !piece) return;
    buf += piece;
    let pos = 0;
    let nl: number;
    while (!over && (nl = buf.indexOf("\n", pos)) >= 0) {
      const line = buf.charCodeAt(nl - 1) === 13 && nl > pos ? buf.slice(pos, nl - 1) : buf.slice(pos, nl);
      pos = nl + 1;
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
        const code = delivered ? "upstream_stream_broken" : "upstream_error";
        return stopWith({ type: "error", error: new UpstreamError({ code, phase: phase(), providerId, message: "invalid JSON in the stream" }) });
      }
      if (chunk.error != null) return stopWith({ type: "error", error: toUpstreamError(chunk.error, { phase: phase(), providerId, aborted: aborted() }) });
      if (chunk.usage) usage = chunk.usage;
      const choice = chunk.choices?.[0];
      if (choice?.finish_reason) finishRaw = choice.finish_reason;
      if (choice?.delta) deltaParts(choice.delta, output);
    }
    buf = pos === buf.length ? "" : buf.slice(pos);
  };
  /** The body ended: the usage, as OpenAI reports it, or an error when the stream was cut. */
  const finish = () => {
    if (finishRaw === undefined) {
      const code = aborted() ? "upstream_aborted" : delivered ? "upstream_stream_broken" : "upstream_unavailable";
      return emit({ type: "error", error: new UpstreamError({ code, phase: phase(), providerId, message: "stream ended without a finish reason" }) });
    }
    // Absent (null: count it ourselves) or present, missing fields as 0.
    emit({
      type: "usage",
      tokensIn: usage ? (usage.prompt_tokens ?? 0) : null,
      tokensOut: usage ? (usage.completion_tokens ?? 0) : null,
      cachedIn: usage ? (usage.prompt_tokens_details?.cached_tokens ?? 0) : null,
      reasoningOut: usage ? (usage.completion_tokens_details?.reasoning_tokens ?? 0) : null,
      reported: usage !== undefined,
      finishReason: finishRaw,
      ttftMs,
    });
  };

  // ---- the request, retried before the first byte when asked ----
  const failedBeforeOpen = (err: unknown, attempt: number) => {
    const error = toUpstreamError(err, { phase: "before-first-token", providerId, aborted: aborted() });
    if (!over && error.retryable && attempt < attempts && !aborted()) queueMicrotask(() => send(attempt + 1));
    else emit({ type: "error", error });
  };
  const send = (attempt: number) => {
    if (over) return;
    if (aborted()) return failedBeforeOpen(abortError(signal), attempts);
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
    let status = 0;
    let errorText = "";
    const decoder = new StringDecoder("utf8");
    // undici refuses some requests outright (an invalid header value).
    try {
      dispatcher.dispatch(
        { origin, path, method: "POST", headers, body },
        {
          onConnect(abort) {
            abortCall = abort;
            if (over || aborted()) abort(over ? new Error("the call was closed") : abortError(signal));
          },
          onHeaders(statusCode, _headers, resume) {
            status = statusCode;
            if (status >= 200 && status < 300) {
              accepted = true;
              resumeBody = resume;
              input.onOpen?.();
            }
            return true;
          },
          onData(chunk) {
            const text = decoder.write(chunk);
            if (accepted) {
              feed(text);
              return !paused;
            }
            if (errorText.length < 64_000) errorText += text;
            return true;
          },
          onComplete() {
            const rest = decoder.end();
            if (accepted) {
              feed(rest);
              finish();
            } else {
              const message = errorMessage(errorText + rest, status);
              failedBeforeOpen(new UpstreamError({ code: codeForStatus(status), status, phase: "before-first-token", providerId, message }), attempt);
            }
          },
          onError(err) {
            const e = aborted() ? abortError(signal) : err;
            if (accepted) emit({ type: "error", error: toUpstreamError(e, { phase: phase(), providerId, aborted: aborted() }) });
            else failedBeforeOpen(e, attempt);
          },
        },
      );
    } catch (err) {
      failedBeforeOpen(err, attempt);
    }
  };
  send(1);
  // Listened for once the request is handed over (send checks the signal itself): nothing can
  // abort it in between, and the listener stays off the request's way to the provider.
  if (!over) signal?.addEventListener("abort", onAbort, { once: true });

  return {
    pause() {
      paused = true;
    },
    resume() {
      if (!paused) return;
      paused = false;
      resumeBody?.();
    },
    close() {
      if (over) return;
      over = true;
      signal?.removeEventListener("abort", onAbort);
      abortCall?.(new Error("the response was not read to its end"));
    },
  };
}

/** Events read ahead while the consumer is busy before the connection is paused. */
const READ_AHEAD = 16;

/**
 * The same call as a flat async iterable of events (see the top of this file). Stopping the
 * iteration early stops the call.
 */
export async function* streamCompletion(input: StreamCompletionInput): AsyncGenerator<StreamEvent, void, undefined> {
  const queued: StreamEvent[] = [];
  let wake: (() => void) | null = null;
  let ended = false;
  let handle: StreamHandle | null = null;
  handle = pushCompletion(input, (ev) => {
    queued.push(ev);
    if (ev.type === "usage" || ev.type === "error") ended = true;
    else if (queued.length >= READ_AHEAD) handle?.pause();
    const w = wake;
    wake = null;
    w?.();
  });
  let last = false;
  try {
    while (!last) {
      if (queued.length === 0) {
        await new Promise<void>((r) => (wake = r));
        continue;
      }
      const ev = queued.shift()!;
      if (queued.length < READ_AHEAD / 2) handle.resume();
      last = ev.type === "usage" || ev.type === "error";
      yield ev;
    }
  } finally {
    if (!ended) handle.close();
  }
}
