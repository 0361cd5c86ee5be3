/**
 * The Anthropic Messages API (POST /v1/messages) on the same metered pipeline as chat completions:
 * the request is translated into the gateway's OpenAI-shaped chat request (system, text, images,
 * tool_use and tool_result blocks, tools, tool_choice, stop sequences), and the pipeline's output
 * back into Anthropic's message object or its stream of events (message_start,
 * content_block_start / delta / stop, message_delta, message_stop). Errors in Anthropic's shape.
 */
import { uuid } from "@/lib/core/clock";
import { z } from "zod";
import type { CompletionOutcome, StartSuccess, TextEvent } from "@/lib/completion/types";
import type { ToolCallDelta } from "@/lib/upstream";
import type { OpenAiErrorSpec } from "./errors";
import { pipeDeltas, type GatewayReply, type ReplyStream } from "./reply";
import type { ChatCompletionRequest } from "./request";

const cacheControl = z.object({ type: z.literal("ephemeral"), ttl: z.string().optional() }).nullish();

const textBlock = z.object({ type: z.literal("text"), text: z.string(), cache_control: cacheControl, citations: z.unknown().optional() });
const imageBlock = z.object({
  type: z.literal("image"),
  source: z.discriminatedUnion("type", [
    z.object({ type: z.literal("base64"), media_type: z.enum(["image/jpeg", "image/png", "image/gif", "image/webp"]), data: z.string().min(1) }),
    z.object({ type: z.literal("url"), url: z.url() }),
  ]),
  cache_control: cacheControl,
});
const toolUseBlock = z.object({
  type: z.literal("tool_use"),
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(64),
  input: z.record(z.string(), z.unknown()),
  cache_control: cacheControl,
});
const toolResultBlock = z.object({
  type: z.literal("tool_result"),
  tool_use_id: z.string().min(1).max(200),
  content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});
// Thinking blocks from an earlier turn are the model's own notes; a model here never produced them.
const thinkingBlock = z.object({ type: z.enum(["thinking", "redacted_thinking"]) }).passthrough();

const userBlock = z.union([textBlock, imageBlock, toolResultBlock]);
const assistantBlock = z.union([textBlock, toolUseBlock, thinkingBlock]);

const message = z.discriminatedUnion("role", [
  z.object({ role: z.literal("user"), content: z.union([z.string(), z.array(userBlock).min(1)]) }),
  z.object({ role: z.literal("assistant"), content: z.union([z.string(), z.array(assistantBlock)]) }),
]);

const tool = z.object({
  name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1–64 letters, digits, _ or -"),
  description: z.string().max(100_000).optional(),
  input_schema: z.object({ type: z.literal("object") }).passthrough(),
  type: z.literal("custom").optional(),
  cache_control: cacheControl,
});

export const messagesRequest = z.object({
  model: z.string().min(1).max(200),
  max_tokens: z.number().int().positive(),
  messages: z.array(message).min(1).max(2000),
  system: z.union([z.string(), z.array(textBlock)]).optional(),
  stream: z.boolean().optional(),
  stop_sequences: z.array(z.string().min(1).max(1000)).max(4, "at most 4 stop sequences are supported").optional(),
  temperature: z.number().min(0).max(1).optional(),
  top_p: z.number().min(0).max(1).optional(),
  tools: z.array(tool).max(128).optional(),
  tool_choice: z
    .discriminatedUnion("type", [
      z.object({ type: z.literal("auto"), disable_parallel_tool_use: z.boolean().optional() }),
      z.object({ type: z.literal("any"), disable_parallel_tool_use: z.boolean().optional() }),
      z.object({ type: z.literal("tool"), name: z.string().min(1).max(64), disable_parallel_tool_use: z.boolean().optional() }),
      z.object({ type: z.literal("none") }),
    ])
    .optional(),
  metadata: z.object({ user_id: z.string().max(256).nullish() }).optional(),
  thinking: z.object({ type: z.literal("disabled", 'extended thinking is not supported; send {"type":"disabled"} or leave it out') }).optional(),
});

export type MessagesRequest = z.infer<typeof messagesRequest>;

/** Fields Anthropic defines that no route here serves: refused by name. */
const NOT_SERVED: Record<string, string> = {
  top_k: "top_k is not supported",
  container: "containers are not supported",
  mcp_servers: "MCP servers are not supported on the API; connect them in your client",
  service_tier: "service tiers are not supported",
};
const KNOWN = new Set(Object.keys(messagesRequest.shape));

/** A top-level field the Messages API here does not serve, named (null counts as absent). */
export function unsupportedMessagesParam(raw: Record<string, unknown>): { message: string; param: string } | null {
  for (const k of Object.keys(raw)) {
    if (KNOWN.has(k) || raw[k] === null || raw[k] === undefined) continue;
    const why = NOT_SERVED[k];
    return { param: k, message: why ? `${k}: ${why}.` : `${k}: Extra inputs are not permitted` };
  }
  return null;
}

type OpenAiMessage = ChatCompletionRequest["messages"][number];
type OpenAiUserPart = { type: "text"; text: string } | { type: "image_url"; image_url: { url: string } };

function imageUrl(b: z.infer<typeof imageBlock>): string {
  return b.source.type === "base64" ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
}

function toolResultText(b: z.infer<typeof toolResultBlock>): string {
  const c = b.content;
  const text = c === undefined ? "" : typeof c === "string" ? c : c.map((p) => (p.type === "text" ? p.text : "")).join("");
  return b.is_error ? `Error: ${text}` : text;
}

/**
 * The Messages request as the gateway's chat request: system first; a user turn's tool results
 * become tool messages right after the assistant turn that called them, then its text and images
 * (images a tool returned included);
 * an assistant turn's tool_use blocks become its tool calls.
 */
export function toChatRequest(r: MessagesRequest): ChatCompletionRequest {
  const messages: OpenAiMessage[] = [];
  if (r.system !== undefined) {
    const text = typeof r.system === "string" ? r.system : r.system.map((b) => b.text).join("\n\n");
    if (text) messages.push({ role: "system", content: text });
  }
  for (const m of r.messages) {
    if (m.role === "user") {
      if (typeof m.content === "string") {
        messages.push({ role: "user", content: m.content });
        continue;
      }
      const parts: OpenAiUserPart[] = [];
      for (const b of m.content) {
        if (b.type === "tool_result") {
          messages.push({ role: "tool", tool_call_id: b.tool_use_id, content: toolResultText(b) });
          // A tool message carries text only: images a tool returned follow in the user turn.
          if (Array.isArray(b.content)) for (const p of b.content) if (p.type === "image") parts.push({ type: "image_url", image_url: { url: imageUrl(p) } });
        } else if (b.type === "text") parts.push({ type: "text", text: b.text });
        else parts.push({ type: "image_url", image_url: { url: imageUrl(b) } });
      }
      if (parts.length > 0)
        messages.push({ role: "user", content: parts.every((p) => p.type === "text") ? parts.map((p) => (p as { text: string }).text).join("") : parts });
    } else {
      if (typeof m.content === "string") {
        messages.push({ role: "assistant", content: m.content });
        continue;
      }
      let text = "";
      const calls: { id: string; type: "function"; function: { name: string; arguments: string } }[] = [];
      for (const b of m.content) {
        if (b.type === "text") text += (b as { text: string }).text;
        else if (b.type === "tool_use") {
          const u = b as z.infer<typeof toolUseBlock>;
          calls.push({ id: u.id, type: "function", function: { name: u.name, arguments: JSON.stringify(u.input) } });
        }
      }
      messages.push(calls.length > 0 ? { role: "assistant", content: text || null, tool_calls: calls } : { role: "assistant", content: text });
    }
  }
  const tc = r.tool_choice;
  const body: ChatCompletionRequest = {
    model: r.model,
    messages,
    max_tokens: r.max_tokens,
    stream: r.stream ?? false,
    ...(r.tools?.length
      ? {
          tools: r.tools.map((t) => ({
            type: "function" as const,
            function: { name: t.name, ...(t.description === undefined ? {} : { description: t.description }), parameters: t.input_schema },
          })),
        }
      : {}),
    ...(tc
      ? {
          tool_choice:
            tc.type === "auto" ? "auto" : tc.type === "any" ? "required" : tc.type === "none" ? "none" : { type: "function", function: { name: tc.name } },
          ...(tc.type !== "none" && tc.disable_parallel_tool_use ? { parallel_tool_calls: false } : {}),
        }
      : {}),
    ...(r.stop_sequences?.length ? { stop: r.stop_sequences } : {}),
    ...(r.temperature === undefined ? {} : { temperature: r.temperature }),
    ...(r.top_p === undefined ? {} : { top_p: r.top_p }),
    ...(r.metadata?.user_id ? { user: r.metadata.user_id } : {}),
  };
  return body;
}

/** Anthropic's error type for an HTTP status. */
function errorType(status: number, code: string | null): string {
  if (code === "insufficient_quota") return "billing_error";
  switch (status) {
    case 400:
    case 405:
    case 409:
      return "invalid_request_error";
    case 401:
      return "authentication_error";
    case 402:
      return "billing_error";
    case 403:
      return "permission_error";
    case 404:
      return "not_found_error";
    case 413:
      return "request_too_large";
    case 429:
      return "rate_limit_error";
    case 502:
    case 503:
      return "overloaded_error";
    default:
      return "api_error";
  }
}

/**
 * An error reply in Anthropic's shape (`{type:"error", error:{type, message}}`), from the gateway's
 * one mapper: balance and cap refusals are billing errors (402), the provider's failure an
 * overloaded error (529), as Anthropic's own clients expect.
 */
export function anthropicError(spec: OpenAiErrorSpec, headers: Record<string, string> = {}): GatewayReply {
  const type = errorType(spec.status, spec.code);
  const status = type === "billing_error" ? 402 : type === "overloaded_error" ? 529 : spec.status;
  headers["content-type"] = "application/json";
  headers["x-content-type-options"] = "nosniff";
  const message = spec.param ? `${spec.param}: ${spec.message}` : spec.message;
  return { status, headers, body: JSON.stringify({ type: "error", error: { type, message } }) };
}

/** An Anthropic message id. */
export function messageId(): string {
  return `msg_${uuid().replaceAll("-", "").slice(0, 24)}`;
}

function toolUseId(id: string | undefined, index: number): string {
  return id ?? `toolu_${index}`;
}

function stopReason(finish: string): "end_turn" | "max_tokens" | "tool_use" | "stop_sequence" {
  if (finish === "length") return "max_tokens";
  if (finish === "tool_calls") return "tool_use";
  return "end_turn";
}

function parseInput(args: string): Record<string, unknown> {
  try {
    const v = JSON.parse(args) as unknown;
    return v && typeof v === "object" && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
  } catch {
    return {};
  }
}

type Reply = {
  started: StartSuccess;
  id: string;
  model: string;
  headers: Record<string, string>;
  /** The gateway's own time so far, for x-unitoken-overhead-ms. */
  overhead: () => string;
  /** The finish reason as the gateway reads it (the provider's, else stop/length by size). */
  finish: (o: CompletionOutcome) => string;
  overheadHeader: string;
};

/** The whole message, once the pipeline finished. */
export async function anthropicJson(p: Reply & { cleanup: () => void; upstreamFailed: (o: CompletionOutcome) => GatewayReply }): Promise<GatewayReply> {
  let text = "";
  const calls: { index: number; id?: string; name: string; args: string }[] = [];
  for await (const ev of p.started.events) {
    text += ev.text;
    for (const d of ev.toolCalls ?? []) {
      let c = calls.find((x) => x.index === d.index);
      if (!c) calls.push((c = { index: d.index, name: "", args: "" }));
      if (d.id) c.id = d.id;
      if (d.name) c.name += d.name;
      c.args += d.arguments;
    }
  }
  const outcome = await p.started.done;
  p.cleanup();
  if ((outcome.status === "error" || outcome.status === "interrupted") && text === "" && calls.length === 0) return p.upstreamFailed(outcome);
  const content: unknown[] = [];
  if (text) content.push({ type: "text", text });
  for (const c of calls) content.push({ type: "tool_use", id: toolUseId(c.id, c.index), name: c.name, input: parseInput(c.args) });
  const body = {
    id: p.id,
    type: "message",
    role: "assistant",
    model: p.model,
    content,
    stop_reason: stopReason(p.finish(outcome)),
    stop_sequence: null,
    usage: { input_tokens: outcome.tokensIn, output_tokens: outcome.tokensOut },
  };
  p.headers["content-type"] = "application/json";
  p.headers["x-unitoken-plan-tokens"] = outcome.planTokens.toString();
  p.headers[p.overheadHeader] = p.overhead();
  return { status: 200, headers: p.headers, body: JSON.stringify(body) };
}

function event(name: string, data: unknown): string {
  return `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`;
}

/**
 * The message as Anthropic's event stream: message_start (with the prompt's tokens), one content
 * block per text run and per tool call (input_json_delta pieces), message_delta with the stop reason
 * and usage, message_stop. A provider that stops mid-way ends the stream with an error event.
 */
export function anthropicStream(p: Reply & { first: Promise<IteratorResult<TextEvent>> }): GatewayReply {
  const queue: string[] = [];
  let block = -1;
  let open: "text" | number | null = null;
  const close = () => {
    if (open !== null) queue.push(event("content_block_stop", { type: "content_block_stop", index: block }));
    open = null;
  };
  const text = (t: string) => {
    if (!t) return;
    if (open !== "text") {
      close();
      block++;
      open = "text";
      queue.push(event("content_block_start", { type: "content_block_start", index: block, content_block: { type: "text", text: "" } }));
    }
    queue.push(event("content_block_delta", { type: "content_block_delta", index: block, delta: { type: "text_delta", text: t } }));
  };
  const tool = (d: ToolCallDelta) => {
    if (open !== d.index || d.id) {
      close();
      block++;
      open = d.index;
      queue.push(
        event("content_block_start", {
          type: "content_block_start",
          index: block,
          content_block: { type: "tool_use", id: toolUseId(d.id, d.index), name: d.name ?? "", input: {} },
        }),
      );
    }
    if (d.arguments)
      queue.push(event("content_block_delta", { type: "content_block_delta", index: block, delta: { type: "input_json_delta", partial_json: d.arguments } }));
  };
  const end = async (): Promise<void> => {
    const outcome = await p.started.done;
    if (outcome.status === "error" || outcome.status === "interrupted") {
      queue.push(event("error", { type: "error", error: { type: "overloaded_error", message: "The model provider stopped the stream early." } }));
      return;
    }
    close();
    queue.push(
      event("message_delta", {
        type: "message_delta",
        delta: { stop_reason: stopReason(p.finish(outcome)), stop_sequence: null },
        usage: { input_tokens: outcome.tokensIn, output_tokens: outcome.tokensOut },
      }),
    );
    queue.push(event("message_stop", { type: "message_stop" }));
  };
  const messageStart = () =>
    event("message_start", {
      type: "message_start",
      message: {
        id: p.id,
        type: "message",
        role: "assistant",
        model: p.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { input_tokens: p.started.promptTokens, output_tokens: 0 },
      },
    });
  const take = (ev: TextEvent) => {
    text(ev.text);
    for (const d of ev.toolCalls ?? []) tool(d);
  };
  const stream: ReplyStream = {
    cancel() {
      // The client went away: the pipeline charges only what was delivered and settles.
      p.started.abandon();
    },
    pipe: (out) =>
      pipeDeltas(out, {
        head: messageStart(),
        first: p.first,
        started: p.started,
        write: (ev) => {
          take(ev);
          return queue.length === 0 || out.write(queue.splice(0).join(""));
        },
        last: () => end().then(() => (queue.length === 0 ? null : queue.splice(0).join(""))),
      }),
  };
  p.headers["content-type"] = "text/event-stream; charset=utf-8";
  p.headers["cache-control"] = "no-cache, no-transform";
  p.headers["x-accel-buffering"] = "no";
  p.headers[p.overheadHeader] = p.overhead();
  return { status: 200, headers: p.headers, stream };
}
