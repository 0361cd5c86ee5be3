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
 * directly over keep-alive node:http(s): this sits on every reply's time to first token, and a
 * general SDK's layers (request building, four chained web streams and a schema check per
 * chunk) measured ≈0.5 ms of it. What it reads is what the gateway and chat need: text,
 * reasoning (`reasoning_content` / `reasoning`), refusals, finish reason, usage, SSE errors.
 */
import http, { type IncomingMessage } from "node:http";
import https from "node:https";
import { urlToHttpOptions } from "node:url";
import type { ResolvedRoute } from "@/lib/catalog";
import { UpstreamError, codeForStatus, toUpstreamError, type UpstreamErrorPhase } from "./errors";

export type ChatRole = "system" | "user" | "assistant";
export type CompletionMessage = { role: ChatRole; content: string };

export type StreamCompletionInput = {
  route: Pick<ResolvedRoute, "providerId" | "providerModelId" | "baseUrl" | "apiKey" | "kind">;
  messages: CompletionMessage[];
  maxOutputTokens: number;
  signal?: AbortSignal;
  /** Extra request headers (e.g. x-demo-* knobs for the demo upstream); they never replace the call's own. */
  headers?: Record<string, string>;
  temperature?: number;
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
  | StreamUsage
  | { type: "error"; error: UpstreamError };

const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 512, scheduling: "lifo" }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 512, scheduling: "lifo" }),
};

/**
 * Where a base URL's chat completions go: parsed once per base URL, not per call. Headers go to
 * Node as a flat [name, value, …] list, stored as given (so the Host header is ours to send).
 */
type Target = { mod: typeof http | typeof https; options: http.RequestOptions; host: string };
const targets = new Map<string, Target>();
function targetFor(baseUrl: string): Target {
  let t = targets.get(baseUrl);
  if (!t) {
    const url = new URL(`${baseUrl.replace(/\/+$/, "")}/chat/completions`);
    const tls = url.protocol === "https:";
    t = { mod: tls ? https : http, options: { ...urlToHttpOptions(url), method: "POST", agent: agents[tls ? "https:" : "http:"] }, host: url.host };
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

/** The request body: the same fields an OpenAI client sends for a streamed chat. */
function requestBody(input: StreamCompletionInput): string {
  return JSON.stringify({
    model: input.route.providerModelId,
    messages: input.messages,
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

/**
 * Sends the request; resolves with the response once the provider accepted the call (2xx
 * headers), rejects with an UpstreamError for an HTTP error, or with what the socket threw.
 */
function open(input: StreamCompletionInput, body: string): Promise<IncomingMessage> {
  const { route, signal } = input;
  const { mod, options, host } = targetFor(route.baseUrl);
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(abortError(signal));
    const headers = ["host", host, "content-type", "application/json", "accept", "text/event-stream", "user-agent", "unitoken"];
    if (route.apiKey) headers.push("authorization", `Bearer ${route.apiKey}`);
    if (input.headers) for (const k in input.headers) if (!FIXED_HEADERS.has(k.toLowerCase())) headers.push(k, input.headers[k]!);
    headers.push("content-length", String(Buffer.byteLength(body)));
    const req = mod.request({ ...options, headers }, (res) => {
      const status = res.statusCode ?? 0;
      if (status >= 200 && status < 300) {
        signal?.removeEventListener("abort", onAbort);
        // From here the body's reader owns the abort (it destroys the response).
        return resolve(res);
      }
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => {
        if (text.length < 64_000) text += d;
      });
      res.on("end", () => {
        signal?.removeEventListener("abort", onAbort);
        reject(new UpstreamError({ code: codeForStatus(status), status, phase: "before-first-token", providerId: route.providerId, message: errorMessage(text, status) }));
      });
      res.on("error", reject);
    });
    const onAbort = () => req.destroy(abortError(signal));
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? abortError(signal) : e);
    });
    req.end(body);
  });
}

/** Pieces of a body read ahead while the consumer is busy before the socket is paused. */
const READ_AHEAD = 16;

/**
 * A response body as text pieces, pulled one at a time: read in flowing mode ('data' events)
 * and paused while READ_AHEAD pieces wait, which does less per piece than the stream's own
 * async iterator. Rejects with the stream's error, or when it closes before its end.
 */
function bodyPieces(res: IncomingMessage): { next(): Promise<string | null> } {
  const queued: string[] = [];
  let ended = false;
  let failure: Error | null = null;
  let waiter: { resolve: (v: string | null) => void; reject: (e: Error) => void } | null = null;
  const wake = () => {
    const w = waiter;
    if (!w) return;
    waiter = null;
    if (queued.length > 0) w.resolve(queued.shift()!);
    else if (failure) w.reject(failure);
    else if (ended) w.resolve(null);
    else waiter = w;
  };
  res.setEncoding("utf8");
  res.on("data", (d: string) => {
    queued.push(d);
    if (queued.length >= READ_AHEAD) res.pause();
    wake();
  });
  res.on("end", () => {
    ended = true;
    wake();
  });
  res.on("error", (e) => {
    failure ??= e;
    wake();
  });
  res.on("close", () => {
    if (!ended) failure ??= Object.assign(new Error("the response closed before its end"), { code: "ERR_STREAM_PREMATURE_CLOSE" });
    wake();
  });
  return {
    next() {
      if (queued.length > 0) {
        const piece = queued.shift()!;
        if (res.isPaused() && queued.length < READ_AHEAD / 2) res.resume();
        return Promise.resolve(piece);
      }
      if (failure) return Promise.reject(failure);
      if (ended) return Promise.resolve(null);
      return new Promise((resolve, reject) => (waiter = { resolve, reject }));
    },
  };
}

type ChunkUsage = {
  prompt_tokens?: number | null;
  completion_tokens?: number | null;
  prompt_tokens_details?: { cached_tokens?: number | null } | null;
  completion_tokens_details?: { reasoning_tokens?: number | null } | null;
};
type ContentPart = { type?: string; text?: unknown; thinking?: { type?: string; text?: unknown }[] };
type Chunk = {
  choices?: { delta?: { content?: string | ContentPart[] | null; reasoning_content?: string | null; reasoning?: string | null; refusal?: string | null } | null; finish_reason?: string | null }[];
  usage?: ChunkUsage | null;
  error?: unknown;
};

/** A delta's text and reasoning, in the order a provider can send them. */
function* deltaParts(delta: NonNullable<NonNullable<Chunk["choices"]>[number]["delta"]>): Generator<{ type: "text" | "reasoning"; text: string }> {
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
  let res: IncomingMessage | undefined;
  const attempts = 1 + Math.max(0, input.maxRetries ?? 0);
  for (let attempt = 1; !res; attempt++) {
    try {
      res = await open(input, body);
    } catch (err) {
      const error = toUpstreamError(err, { phase: "before-first-token", providerId, aborted: aborted() });
      if (error.retryable && attempt < attempts && !aborted()) continue;
      yield { type: "error", error };
      return;
    }
  }

  input.onOpen?.();
  const response = res;
  const onAbort = () => response.destroy(abortError(signal));
  if (signal?.aborted) onAbort();
  else signal?.addEventListener("abort", onAbort, { once: true });

  let usage: ChunkUsage | undefined;
  let finishRaw: string | undefined;
  let buf = "";
  let data: string[] = [];
  const pieces = bodyPieces(response);
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
          yield { type: "error", error: new UpstreamError({ code: delivered ? "upstream_stream_broken" : "upstream_error", phase: phase(), providerId, message: "invalid JSON in the stream" }) };
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
    signal?.removeEventListener("abort", onAbort);
    // Early exit (error, consumer break): stop reading the upstream.
    if (!response.complete) response.destroy();
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
