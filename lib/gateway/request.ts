import { z } from "zod";
import type { PipelineMessage } from "@/lib/completion/types";

const textPart = z.object({ type: z.literal("text"), text: z.string() }).passthrough();
const content = z.union([z.string(), z.array(textPart), z.null()]);

const message = z
  .object({
    role: z.enum(["system", "developer", "user", "assistant"]),
    content: content.optional(),
    name: z.string().optional(),
  })
  .passthrough();

/** The subset of OpenAI's chat completion request the gateway honours; unknown fields are ignored. */
export const chatCompletionRequest = z
  .object({
    model: z.string().min(1).max(200),
    messages: z.array(message).min(1).max(2000),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().nullish() }).passthrough().nullish(),
    max_tokens: z.number().int().positive().nullish(),
    max_completion_tokens: z.number().int().positive().nullish(),
    n: z.number().int().min(1).max(1).nullish(),
    user: z.string().max(256).nullish(),
    tools: z.array(z.unknown()).max(0, "tools are not supported yet").nullish(),
  })
  .passthrough();

export type ChatCompletionRequest = z.infer<typeof chatCompletionRequest>;

/** OpenAI messages → the pipeline's plain-text messages (developer counts as system). */
export function toPipelineMessages(messages: ChatCompletionRequest["messages"]): PipelineMessage[] {
  return messages.map((m) => ({
    role: m.role === "developer" ? "system" : m.role,
    content: typeof m.content === "string" ? m.content : Array.isArray(m.content) ? m.content.map((p) => p.text).join("") : "",
  }));
}

/** The first zod issue as an OpenAI-style message and param. */
export function describeIssue(error: z.ZodError): { message: string; param: string } {
  const i = error.issues[0];
  const param = i ? i.path.join(".") : "";
  return { message: i ? `Invalid value for '${param || "body"}': ${i.message}` : "Invalid request body.", param };
}
