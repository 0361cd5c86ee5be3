import { z } from "zod";
import type { PipelineMessage } from "@/lib/completion/types";
import type { ContentPart, ToolCall } from "@/lib/upstream";

const textPart = z.object({ type: z.literal("text"), text: z.string() }).passthrough();
const imagePart = z
  .object({
    type: z.literal("image_url"),
    image_url: z.object({ url: z.string().min(1).max(20_000_000), detail: z.enum(["auto", "low", "high"]).optional() }).passthrough(),
  })
  .passthrough();
const textContent = z.union([z.string(), z.array(textPart)]);

const toolCall = z
  .object({
    id: z.string().min(1).max(200),
    type: z.literal("function"),
    function: z.object({ name: z.string().min(1).max(64), arguments: z.string().max(1_000_000) }).passthrough(),
  })
  .passthrough();

const message = z.discriminatedUnion("role", [
  z.object({ role: z.enum(["system", "developer"]), content: textContent, name: z.string().max(64).optional() }).passthrough(),
  z
    .object({ role: z.literal("user"), content: z.union([z.string(), z.array(z.union([textPart, imagePart]))]), name: z.string().max(64).optional() })
    .passthrough(),
  z
    .object({
      role: z.literal("assistant"),
      content: textContent.nullish(),
      name: z.string().max(64).optional(),
      refusal: z.string().nullish(),
      tool_calls: z.array(toolCall).max(128).nullish(),
    })
    .passthrough(),
  z.object({ role: z.literal("tool"), content: textContent, tool_call_id: z.string().min(1).max(200) }).passthrough(),
]);

/** A tool's name as OpenAI accepts it. */
const toolName = z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, "must be 1–64 letters, digits, _ or -");

const tool = z.object({
  type: z.literal("function"),
  function: z.object({
    name: toolName,
    description: z.string().max(100_000).optional(),
    parameters: z.record(z.string(), z.unknown()).optional(),
    strict: z.boolean().nullish(),
  }),
});

const responseFormat = z.discriminatedUnion("type", [
  z.object({ type: z.literal("text") }),
  z.object({ type: z.literal("json_object") }),
  z.object({
    type: z.literal("json_schema"),
    json_schema: z.object({
      name: toolName,
      description: z.string().max(100_000).optional(),
      schema: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  }),
]);

/** OpenAI's chat completion request, as far as the gateway serves it. Every other field is refused (see unsupportedParam). */
export const chatCompletionRequest = z.object({
  model: z.string().min(1).max(200),
  messages: z.array(message).min(1).max(2000),
  stream: z.boolean().nullish(),
  stream_options: z.object({ include_usage: z.boolean().nullish() }).nullish(),
  max_tokens: z.number().int().positive().nullish(),
  max_completion_tokens: z.number().int().positive().nullish(),
  n: z.number().int().min(1).max(1, "only n=1 is supported").nullish(),
  user: z.string().max(256).nullish(),
  tools: z.array(tool).max(128).nullish(),
  tool_choice: z.union([z.enum(["none", "auto", "required"]), z.object({ type: z.literal("function"), function: z.object({ name: toolName }) })]).nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  response_format: responseFormat.nullish(),
  stop: z.union([z.string().max(1000), z.array(z.string().max(1000)).max(4)]).nullish(),
  seed: z.number().int().nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  presence_penalty: z.number().min(-2).max(2).nullish(),
  frequency_penalty: z.number().min(-2).max(2).nullish(),
  logit_bias: z.record(z.string().regex(/^\d{1,7}$/, "keys are token ids"), z.number().min(-100).max(100)).nullish(),
});

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** Fields OpenAI defines that no route here serves: refused by name, never dropped. */
const NOT_SERVED: Record<string, string> = {
  logprobs: "logprobs are not supported",
  top_logprobs: "logprobs are not supported",
  functions: "use `tools` instead of the deprecated `functions`",
  function_call: "use `tool_choice` instead of the deprecated `function_call`",
  audio: "audio output is not supported",
  modalities: "only text output is supported",
  prediction: "predicted outputs are not supported",
  store: "stored completions are not supported",
  metadata: "stored completions are not supported",
  service_tier: "service tiers are not supported",
  web_search_options: "web search is not supported",
  reasoning_effort: "reasoning_effort is not supported",
};

/** Fields served, and `provider` (OpenRouter's routing preferences), which the router reads. */
const KNOWN = new Set([...Object.keys(chatCompletionRequest.shape), "provider"]);

/**
 * A top-level field no route serves, or one OpenAI does not define: the 400 names it, as OpenAI's
 * own "Unrecognized request argument" does. Null values count as absent.
 */
export function unsupportedParam(raw: Record<string, unknown>, known: ReadonlySet<string> = KNOWN): { message: string; param: string } | null {
  for (const k of Object.keys(raw)) {
    if (known.has(k) || raw[k] === null || raw[k] === undefined) continue;
    const why = NOT_SERVED[k];
    return { param: k, message: why ? `'${k}' is not supported: ${why}.` : `Unrecognized request argument supplied: ${k}` };
  }
  return null;
}

/** What a model can take, from its catalog entry. */
export type ModelAbilities = { tools: boolean; imageInput: boolean; temperature: boolean };

/**
 * The first parameter this model's routes do not support, named as OpenAI names parameters:
 * tools on a model without tool calling, images on a text-only model, sampling on a model that
 * fixes it. Also a tool_choice naming a tool that is not defined.
 */
export function unsupportedForModel(body: ChatCompletionRequest, can: ModelAbilities): { message: string; param: string } | null {
  if (!can.tools)
    for (const p of ["tools", "tool_choice", "parallel_tool_calls"] as const)
      if (body[p] != null) return { param: p, message: `This model does not support tool calls ('${p}').` };
  if (!can.temperature)
    for (const p of ["temperature", "top_p"] as const) if (body[p] != null) return { param: p, message: `This model does not support '${p}'.` };
  if (!can.imageInput)
    for (const [i, m] of body.messages.entries())
      if (m.role === "user" && Array.isArray(m.content)) {
        const j = m.content.findIndex((p) => p.type === "image_url");
        if (j >= 0) return { param: `messages[${i}].content[${j}]`, message: `'messages[${i}].content[${j}]': this model does not accept image input.` };
      }
  const choice = body.tool_choice;
  if (choice && typeof choice === "object" && !body.tools?.some((t) => t.function.name === choice.function.name))
    return { param: "tool_choice", message: `tool_choice names '${choice.function.name}', which is not in 'tools'.` };
  if (body.tool_choice != null && !body.tools?.length && body.tool_choice !== "none")
    return { param: "tool_choice", message: "tool_choice is only allowed when 'tools' are given." };
  return null;
}

const PASSED = [
  "tools",
  "tool_choice",
  "parallel_tool_calls",
  "response_format",
  "stop",
  "seed",
  "temperature",
  "top_p",
  "presence_penalty",
  "frequency_penalty",
  "logit_bias",
  "user",
] as const;

/** The fields sent upstream as they are (those given); undefined when there are none. */
export function upstreamParams(body: ChatCompletionRequest): Record<string, unknown> | undefined {
  let out: Record<string, unknown> | undefined;
  for (const k of PASSED) {
    const v = body[k];
    if (v === null || v === undefined) continue;
    if (k === "tools" && Array.isArray(v) && v.length === 0) continue;
    (out ??= {})[k] = v;
  }
  return out;
}

function textOf(content: string | { type: string; text?: string }[] | null | undefined): string {
  if (content == null) return "";
  if (typeof content === "string") return content;
  let t = "";
  for (const p of content) if (p.type === "text" && typeof p.text === "string") t += p.text;
  return t;
}

/**
 * OpenAI messages → the pipeline's messages (developer counts as system; images, tool calls and
 * results kept). `imageCost` says what each image is held for on the requested model.
 */
export function toPipelineMessages(messages: ChatCompletionRequest["messages"], imageCost?: (url: string) => number): PipelineMessage[] {
  return messages.map((m): PipelineMessage => {
    switch (m.role) {
      case "system":
      case "developer":
        return { role: "system", content: textOf(m.content) };
      case "user": {
        const content = textOf(m.content);
        if (Array.isArray(m.content) && m.content.some((p) => p.type === "image_url")) {
          const parts: ContentPart[] = m.content.map((p) =>
            p.type === "image_url"
              ? { type: "image_url", image_url: p.image_url.detail ? { url: p.image_url.url, detail: p.image_url.detail } : { url: p.image_url.url } }
              : { type: "text", text: p.text },
          );
          if (!imageCost) return { role: "user", content, parts };
          let imageTokens = 0;
          for (const p of m.content) if (p.type === "image_url") imageTokens += imageCost(p.image_url.url);
          return { role: "user", content, parts, imageTokens };
        }
        return m.name ? { role: "user", content, name: m.name } : { role: "user", content };
      }
      case "assistant": {
        const content = textOf(m.content);
        if (m.tool_calls?.length) {
          const toolCalls: ToolCall[] = m.tool_calls.map((c) => ({
            id: c.id,
            type: "function",
            function: { name: c.function.name, arguments: c.function.arguments },
          }));
          return { role: "assistant", content, toolCalls };
        }
        return { role: "assistant", content };
      }
      case "tool":
        return { role: "tool", content: textOf(m.content), toolCallId: m.tool_call_id };
    }
  });
}

/** The first zod issue as an OpenAI-style message and param. */
export function describeIssue(error: z.ZodError): { message: string; param: string } {
  const i = error.issues[0];
  const param = i ? formatPath(i.path) : "";
  return { message: i ? `Invalid value for '${param || "body"}': ${i.message}` : "Invalid request body.", param };
}

/** messages.0.content → messages[0].content, as OpenAI names parameters. */
function formatPath(path: PropertyKey[]): string {
  let out = "";
  for (const p of path) out += typeof p === "number" ? `[${p}]` : out ? `.${String(p)}` : String(p);
  return out;
}
