/**
 * The demo upstream: an OpenAI-compatible chat server that answers for every catalog model
 * with generated text, real SSE framing and a final usage chunk counted with the o200k_base
 * tokenizer through lib/metering's own counter. One fetch-style handler serves both the in-app route
 * (/api/demo-upstream/v1/...) and the standalone server (npm run upstream:demo).
 *
 *   POST …/v1/chat/completions   streaming and not; honours max_tokens / max_completion_tokens
 *                                 and stream_options.include_usage; calls tools when the last user
 *                                 message asks (tools.ts), answers from tool results, writes
 *                                 JSON for response_format json_object / json_schema, and ends
 *                                 the text before the first of the `stop` sequences
 *   POST …/v1/embeddings         deterministic unit vectors (embeddings.ts), exact usage
 *   GET  …/v1/models             the catalog's listed models
 *
 * Knobs, per request header (or server defaults, see DemoKnobs):
 *   x-demo-ttft-ms: 250            delay before the first token
 *   x-demo-tps: 80                 tokens per second after that (0 = as fast as possible)
 *   x-demo-tokens: 120             length of the answer in tokens (still capped by max_tokens);
 *                                  x-demo-max-tokens is an alias
 *   x-demo-fail-before: 503        answer with this HTTP error instead of a stream
 *   x-demo-fail-after-chunks: 3    break the stream after N content chunks
 *   x-demo-fail-mode: event|drop   …with an SSE error event (default) or by cutting the connection
 *   x-demo-no-usage: 1             never send usage (even when asked)
 *   x-demo-zero-usage: 1           report usage as explicit zeros
 *
 * Every knob is capped (DEMO_LIMITS), and so is the body. With a secret (the in-app route always
 * has one), only calls carrying it in x-demo-secret are answered: the app's own. The app never
 * passes a browser's or an API client's usage knobs on (lib/server/wiring.ts, lib/gateway).
 */
import { encode } from "gpt-tokenizer/encoding/o200k_base";
import { countChatTokens, countDefinitionTokens, definitionsText, type ChatMessage as CountedMessage } from "@/lib/metering";
import { listedModels } from "@/lib/catalog";
import { generateReply, hasChinese, splitPieces } from "./text";
import { demoEmbeddings, type DemoEmbeddingsBody } from "./embeddings";
import { answerFromToolResults, planToolCalls, structuredAnswer, type DemoTool, type PlannedCall } from "./tools";
import { DEMO_SECRET_HEADER, isDemoSecret } from "./secret";
import { demoImageTokens, describeInputs, inputsIntro } from "./files";

/** Upper bounds of what one request may ask of the demo upstream. */
export const DEMO_LIMITS = {
  /** Request body (the gateway's own limit is larger; a demo answer needs no more). */
  bodyBytes: 1024 * 1024,
  /** A chat request with image parts (4 images of 10 MB as base64 data URLs, and the text). */
  imageBodyBytes: 64 * 1024 * 1024,
  messages: 1000,
  /** Answer length, whatever x-demo-tokens or max_tokens say. */
  tokens: 4096,
  ttftMs: 30_000,
  tps: 10_000,
  failAfterChunks: 10_000,
} as const;

export type DemoKnobs = {
  ttftMs: number;
  tps: number;
  tokens?: number;
  failBefore?: number;
  failAfterChunks?: number;
  failMode: "event" | "drop";
  noUsage: boolean;
  zeroUsage: boolean;
};

export const DEFAULT_DEMO_KNOBS: DemoKnobs = { ttftMs: 250, tps: 80, failMode: "event", noUsage: false, zeroUsage: false };

export type DemoServerOptions = {
  defaults?: Partial<DemoKnobs>;
  /** Model ids the server answers for; defaults to the catalog's listed models. */
  models?: () => Iterable<string>;
  /** Accept any model id (the catalog check is skipped). */
  anyModel?: boolean;
  /** When set, only requests with this value in x-demo-secret are answered (403 otherwise). */
  secret?: string | (() => string);
};

type ChatMessage = { role: string; content?: unknown; tool_calls?: unknown; tool_call_id?: unknown };

const SSE_HEADERS = {
  "content-type": "text/event-stream; charset=utf-8",
  "cache-control": "no-cache, no-transform",
  connection: "keep-alive",
  "x-accel-buffering": "no",
};

function json(body: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });
}

function openAiError(status: number, message: string, type: string, code: string | null = null): Response {
  return json({ error: { message, type, param: null, code } }, status);
}

function intHeader(h: Headers, name: string, max: number): number | undefined {
  const v = h.get(name);
  if (v === null || v.trim() === "") return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n >= 0 ? Math.min(Math.floor(n), max) : undefined;
}

function boolHeader(h: Headers, name: string): boolean | undefined {
  const v = h.get(name);
  if (v === null) return undefined;
  return ["1", "true", "yes", "on", ""].includes(v.trim().toLowerCase());
}

export function knobsFrom(headers: Headers, defaults: DemoKnobs): DemoKnobs {
  const failBefore = headers.get("x-demo-fail-before");
  const mode = headers.get("x-demo-fail-mode");
  return {
    ttftMs: intHeader(headers, "x-demo-ttft-ms", DEMO_LIMITS.ttftMs) ?? defaults.ttftMs,
    tps: intHeader(headers, "x-demo-tps", DEMO_LIMITS.tps) ?? defaults.tps,
    tokens: intHeader(headers, "x-demo-tokens", DEMO_LIMITS.tokens) ?? intHeader(headers, "x-demo-max-tokens", DEMO_LIMITS.tokens) ?? defaults.tokens,
    failBefore:
      failBefore === null
        ? defaults.failBefore
        : /^\d{3}$/.test(failBefore.trim())
          ? Number(failBefore)
          : ["1", "true", "yes", "on"].includes(failBefore.trim().toLowerCase())
            ? 500
            : undefined,
    failAfterChunks: intHeader(headers, "x-demo-fail-after-chunks", DEMO_LIMITS.failAfterChunks) ?? defaults.failAfterChunks,
    failMode: mode === "drop" || mode === "event" ? mode : defaults.failMode,
    noUsage: boolHeader(headers, "x-demo-no-usage") ?? defaults.noUsage,
    zeroUsage: boolHeader(headers, "x-demo-zero-usage") ?? defaults.zeroUsage,
  };
}

function textOf(content: unknown): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content))
    return content
      .map((p) => (p && typeof p === "object" && "text" in p && typeof (p as { text: unknown }).text === "string" ? (p as { text: string }).text : ""))
      .join("");
  return "";
}

function toolCallsOf(m: ChatMessage): { id?: string; function: { name: string; arguments: string } }[] | undefined {
  if (!Array.isArray(m.tool_calls)) return undefined;
  return m.tool_calls.map((c: { id?: unknown; function?: { name?: unknown; arguments?: unknown } }) => ({
    ...(typeof c?.id === "string" ? { id: c.id } : {}),
    function: {
      name: typeof c?.function?.name === "string" ? c.function.name : "",
      arguments: typeof c?.function?.arguments === "string" ? c.function.arguments : "",
    },
  }));
}

/**
 * Prompt tokens as the pipeline counts a chat (o200k_base, chat framing, images, tool calls and
 * results included) plus the tools and reply schema it defines, with its guard against long runs
 * without spaces: linear time, whatever the prompt.
 */
export function countPromptTokens(messages: ChatMessage[], request: { tools?: unknown; response_format?: unknown } = {}): number {
  const counted = messages.map((m): CountedMessage => {
    const toolCalls = toolCallsOf(m);
    const images = demoImageTokens(m.content);
    return {
      ...(images === undefined ? {} : { imageTokens: images }),
      role: typeof m.role === "string" ? m.role : "user",
      content: Array.isArray(m.content) ? (m.content as { type: string; text?: string }[]) : textOf(m.content),
      ...(toolCalls ? { toolCalls } : {}),
      ...(typeof m.tool_call_id === "string" ? { toolCallId: m.tool_call_id } : {}),
    };
  });
  return countChatTokens(counted) + countDefinitionTokens(definitionsText(request));
}

/** The longest prefix of `pieces` whose text fits in `maxTokens` (binary search: counts grow with length). */
function fitPieces(pieces: string[], maxTokens: number): { text: string; tokens: number; truncated: boolean; count: number } {
  const full = pieces.join("");
  const fullTokens = encode(full).length;
  if (fullTokens <= maxTokens) return { text: full, tokens: fullTokens, truncated: false, count: pieces.length };
  let lo = 0;
  let hi = pieces.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (encode(pieces.slice(0, mid).join("")).length <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  const text = pieces.slice(0, lo).join("");
  return { text, tokens: encode(text).length, truncated: true, count: lo };
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (ms <= 0 || signal?.aborted) return resolve();
    const onAbort = () => (clearTimeout(t), resolve());
    const t = setTimeout(() => (signal?.removeEventListener("abort", onAbort), resolve()), ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

let counter = 0;
function completionId(): string {
  counter = (counter + 1) % 1e9;
  return `chatcmpl-demo${Date.now().toString(36)}${counter.toString(36)}`;
}

type Body = {
  model?: unknown;
  messages?: unknown;
  stream?: unknown;
  stream_options?: { include_usage?: unknown } | null;
  max_tokens?: unknown;
  max_completion_tokens?: unknown;
  tools?: unknown;
  tool_choice?: unknown;
  parallel_tool_calls?: unknown;
  response_format?: { type?: unknown; json_schema?: { schema?: unknown } } | null;
  stop?: unknown;
};

/** Tool calls as stream pieces: a call's first piece is its name, the rest its arguments in slices. */
function toolCallPieces(calls: PlannedCall[]): { call: number; text: string; first: boolean }[] {
  const out: { call: number; text: string; first: boolean }[] = [];
  calls.forEach((c, i) => {
    out.push({ call: i, text: c.name, first: true });
    const chars = Array.from(c.arguments);
    for (let j = 0; j < chars.length; j += 12) out.push({ call: i, text: chars.slice(j, j + 12).join(""), first: false });
  });
  return out;
}

/** The trailing tool results (after the last assistant turn), named by the calls they answer. */
function trailingToolResults(messages: ChatMessage[]): { name: string; content: string }[] {
  const results: { name: string; content: string }[] = [];
  let i = messages.length - 1;
  while (i >= 0 && messages[i]!.role === "tool") i--;
  const names = new Map((toolCallsOf(messages[i] ?? { role: "" }) ?? []).map((c) => [c.id, c.function.name]));
  for (const m of messages.slice(i + 1)) results.push({ name: names.get(m.tool_call_id as string) ?? "tool", content: textOf(m.content) });
  return results;
}

/** The body as text, refusing (null) past `limit` bytes without reading further. */
async function readCapped(req: Request, limit: number): Promise<string | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  if (!req.body) return "";
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => {});
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, size).toString("utf8");
}

export function createDemoHandler(options: DemoServerOptions = {}): (req: Request) => Promise<Response> {
  const defaults: DemoKnobs = { ...DEFAULT_DEMO_KNOBS, ...options.defaults };
  const secret = typeof options.secret === "function" ? options.secret : options.secret ? () => options.secret as string : undefined;
  let known: Set<string> | undefined;
  const isKnown = (id: string) => {
    if (options.anyModel) return true;
    known ??= new Set(options.models ? options.models() : listedModels().map((m) => m.id));
    return known.has(id);
  };

  return async function handleDemo(req: Request): Promise<Response> {
    // Only the app's own calls: checked before anything is read.
    if (secret && !isDemoSecret(req.headers.get(DEMO_SECRET_HEADER), secret()))
      return openAiError(403, "The demo upstream answers only the app's own calls", "invalid_request_error", "demo_forbidden");
    const path = new URL(req.url).pathname.replace(/\/+$/, "");
    if (path.endsWith("/models") && req.method === "GET") {
      known ??= new Set(options.models ? options.models() : listedModels().map((m) => m.id));
      const created = 1735689600;
      return json({ object: "list", data: [...known].map((id) => ({ id, object: "model", created, owned_by: "unitoken-demo" })) });
    }
    if (path.endsWith("/embeddings") && req.method === "POST") {
      const text = await readCapped(req, DEMO_LIMITS.bodyBytes);
      if (text === null) return openAiError(413, `The body is over ${DEMO_LIMITS.bodyBytes} bytes`, "invalid_request_error", "request_too_large");
      let body: DemoEmbeddingsBody;
      try {
        body = JSON.parse(text) as DemoEmbeddingsBody;
      } catch {
        return openAiError(400, "Body must be JSON", "invalid_request_error", "invalid_json");
      }
      const knobs = knobsFrom(req.headers, defaults);
      if (knobs.failBefore !== undefined) {
        const status = knobs.failBefore >= 400 && knobs.failBefore <= 599 ? knobs.failBefore : 500;
        return openAiError(status, `Demo upstream failure (x-demo-fail-before: ${status})`, "server_error", "demo_failure");
      }
      const r = demoEmbeddings(body ?? {});
      return r.ok ? json(r.reply) : openAiError(400, r.message, "invalid_request_error", "invalid_input");
    }
    if (!path.endsWith("/chat/completions")) return openAiError(404, `Unknown path ${path}`, "invalid_request_error", "not_found");
    if (req.method !== "POST") return openAiError(405, "Use POST", "invalid_request_error", "method_not_allowed");

    let body: Body;
    try {
      const text = await readCapped(req, DEMO_LIMITS.imageBodyBytes);
      // Past the text limit only a request carrying images is read on.
      if (text === null || (Buffer.byteLength(text) > DEMO_LIMITS.bodyBytes && !text.includes('"image_url"')))
        return openAiError(413, `The body is over ${DEMO_LIMITS.bodyBytes} bytes`, "invalid_request_error", "request_too_large");
      body = JSON.parse(text) as Body;
    } catch {
      return openAiError(400, "Body must be JSON", "invalid_request_error", "invalid_json");
    }
    if (!body || typeof body !== "object") return openAiError(400, "Body must be a JSON object", "invalid_request_error", "invalid_json");
    const model = typeof body.model === "string" ? body.model : "";
    if (!model) return openAiError(400, "model is required", "invalid_request_error", "missing_model");
    if (!Array.isArray(body.messages) || body.messages.length === 0)
      return openAiError(400, "messages must be a non-empty array", "invalid_request_error", "missing_messages");
    if (body.messages.length > DEMO_LIMITS.messages || !body.messages.every((m) => m && typeof m === "object"))
      return openAiError(400, `messages must be at most ${DEMO_LIMITS.messages} objects`, "invalid_request_error", "invalid_messages");
    if (!isKnown(model)) return openAiError(404, `The model '${model}' does not exist`, "invalid_request_error", "model_not_found");

    const knobs = knobsFrom(req.headers, defaults);
    if (knobs.failBefore !== undefined) {
      const status = knobs.failBefore >= 400 && knobs.failBefore <= 599 ? knobs.failBefore : 500;
      const type = status === 429 ? "rate_limit_error" : status >= 500 ? "server_error" : "invalid_request_error";
      return openAiError(status, `Demo upstream failure (x-demo-fail-before: ${status})`, type, "demo_failure");
    }

    const messages = body.messages as ChatMessage[];
    const lastUser = [...messages].reverse().find((m) => m.role === "user");
    const inputs = describeInputs(lastUser?.content, textOf(lastUser?.content));
    // The reply answers the user's own words; attached files and images are named first.
    const prompt = inputs.files.length > 0 || inputs.images.length > 0 ? inputs.text : textOf(lastUser?.content);
    const maxReq = Number(body.max_completion_tokens ?? body.max_tokens);
    const maxTokens = Number.isFinite(maxReq) && maxReq > 0 ? Math.min(Math.floor(maxReq), DEMO_LIMITS.tokens) : DEMO_LIMITS.tokens;
    const seed = `${model}\u0000${messages.length}`;
    // Default length varies with the prompt: 80–320 tokens.
    const natural = knobs.tokens ?? 80 + (Math.abs([...prompt].reduce((h, c) => (h * 31 + c.charCodeAt(0)) | 0, 7)) % 241);
    const last = messages[messages.length - 1]!;
    // Tool calls when the last user message asks for them; an answer from the tools' results once they came.
    const calls =
      last.role === "user" && Array.isArray(body.tools)
        ? planToolCalls({ tools: body.tools as DemoTool[], toolChoice: body.tool_choice, parallel: body.parallel_tool_calls !== false, lastUser: prompt, seed })
        : [];
    const results = last.role === "tool" ? trailingToolResults(messages) : [];
    let budget = Math.min(natural, maxTokens);
    let draft: string;
    if (results.length > 0) {
      draft = answerFromToolResults(results, hasChinese(prompt));
      budget = maxTokens;
    } else {
      const intro = inputsIntro(inputs, hasChinese(prompt));
      draft = (intro ? `${intro}\n\n` : "") + generateReply(prompt, seed, Math.ceil(budget * 1.2) + 8);
    }
    const structured = calls.length === 0 ? structuredAnswer(body.response_format, prompt, draft) : null;
    if (structured !== null) {
      draft = structured;
      budget = maxTokens;
    }
    // Stop sequences: the text ends before the first one, as a model's does.
    const stops = (typeof body.stop === "string" ? [body.stop] : Array.isArray(body.stop) ? body.stop : []).filter(
      (x): x is string => typeof x === "string" && x.length > 0,
    );
    if (calls.length === 0 && stops.length > 0) {
      const at = Math.min(...stops.map((x) => draft.indexOf(x)).filter((i) => i >= 0));
      if (Number.isFinite(at)) draft = draft.slice(0, at);
    }
    const callPieces = toolCallPieces(calls);
    // The output is counted as the pipeline counts what it produced: the text, or each call's name and arguments in order.
    const fit = fitPieces(calls.length > 0 ? callPieces.map((p) => p.text) : splitPieces(draft), budget);
    const finishReason = fit.truncated && budget === maxTokens ? "length" : calls.length > 0 ? "tool_calls" : "stop";
    const promptTokens = countPromptTokens(messages, body);
    const usage = knobs.zeroUsage
      ? { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0 }
      : { prompt_tokens: promptTokens, completion_tokens: fit.tokens, total_tokens: promptTokens + fit.tokens };

    const id = completionId();
    const created = Math.floor(Date.now() / 1000);

    if (body.stream !== true) {
      await sleep(knobs.ttftMs + (knobs.tps > 0 ? (fit.tokens / knobs.tps) * 1000 : 0), req.signal);
      const sent = callPieces.slice(0, fit.count);
      const message =
        calls.length > 0
          ? {
              role: "assistant",
              content: null,
              refusal: null,
              tool_calls: calls
                .map((c, i) => ({ c, parts: sent.filter((p) => p.call === i) }))
                .filter((x) => x.parts.length > 0)
                .map(({ c, parts }) => ({
                  id: c.id,
                  type: "function",
                  function: {
                    name: c.name,
                    arguments: parts
                      .filter((p) => !p.first)
                      .map((p) => p.text)
                      .join(""),
                  },
                })),
            }
          : { role: "assistant", content: fit.text, refusal: null };
      return json({
        id,
        object: "chat.completion",
        created,
        model,
        choices: [{ index: 0, message, logprobs: null, finish_reason: finishReason }],
        ...(knobs.noUsage ? {} : { usage }),
        system_fingerprint: "unitoken-demo",
      });
    }

    const includeUsage = !!body.stream_options?.include_usage && !knobs.noUsage;
    // Each chunk's delta: text pieces, or tool-call pieces (the first of a call with its id and name).
    const pieces: Record<string, unknown>[] =
      calls.length > 0
        ? callPieces
            .slice(0, fit.count)
            .map((p) =>
              p.first
                ? { tool_calls: [{ index: p.call, id: calls[p.call]!.id, type: "function", function: { name: p.text, arguments: "" } }] }
                : { tool_calls: [{ index: p.call, function: { arguments: p.text } }] },
            )
        : splitPieces(fit.text).map((content) => ({ content }));
    const chunkCount = Math.max(1, pieces.length);
    const msPerChunk = knobs.tps > 0 ? ((fit.tokens / chunkCount) * 1000) / knobs.tps : 0;
    const encoder = new TextEncoder();
    const frame = (delta: Record<string, unknown>, finish: string | null) =>
      encoder.encode(
        `data: ${JSON.stringify({
          id,
          object: "chat.completion.chunk",
          created,
          model,
          system_fingerprint: "unitoken-demo",
          choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
          ...(includeUsage ? { usage: null } : {}),
        })}\n\n`,
      );
    const signal = req.signal;
    let cancelled = false;
    const fail = async (controller: ReadableStreamDefaultController<Uint8Array>, afterChunks: number) => {
      if (knobs.failMode === "drop") {
        // Let the reader take what was sent (erroring a stream discards its queue), then cut.
        for (let i = 0; i < 200 && (controller.desiredSize ?? 1) < 1; i++) await sleep(2);
        return controller.error(new Error("demo upstream dropped the connection"));
      }
      const error = { message: `Demo upstream failure after ${afterChunks} chunks`, type: "server_error", param: null, code: "demo_failure" };
      controller.enqueue(encoder.encode(`data: ${JSON.stringify({ error })}\n\n`));
      controller.close();
    };

    const stream = new ReadableStream<Uint8Array>({
      async start(controller) {
        try {
          controller.enqueue(frame({ role: "assistant", content: "" }, null));
          await sleep(knobs.ttftMs, signal);
          const start = performance.now();
          for (let i = 0; i < pieces.length; i++) {
            if (cancelled || signal?.aborted) return;
            if (knobs.failAfterChunks !== undefined && i >= knobs.failAfterChunks) return fail(controller, i);
            controller.enqueue(frame(pieces[i]!, null));
            // Pace against the wall clock so timer jitter does not accumulate.
            const due = start + (i + 1) * msPerChunk - performance.now();
            if (due > 1) await sleep(due, signal);
          }
          // Asked to fail after more chunks than the answer has: fail before the finish chunk.
          if (knobs.failAfterChunks !== undefined) return fail(controller, pieces.length);
          controller.enqueue(frame({}, finishReason));
          if (includeUsage)
            controller.enqueue(
              encoder.encode(
                `data: ${JSON.stringify({ id, object: "chat.completion.chunk", created, model, system_fingerprint: "unitoken-demo", choices: [], usage })}\n\n`,
              ),
            );
          controller.enqueue(encoder.encode("data: [DONE]\n\n"));
          controller.close();
        } catch {
          // The consumer went away; nothing to do.
        }
      },
      cancel() {
        cancelled = true;
      },
    });
    return new Response(stream, { status: 200, headers: SSE_HEADERS });
  };
}

/** The default handler (catalog models, default knobs); the Next route and the CLI use it. */
export const handleDemoRequest = createDemoHandler();
