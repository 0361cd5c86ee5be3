import { z } from "zod";

/** OpenAI's embeddings request: one text, a batch of texts, or token id arrays; `dimensions` to shorten. */
export const embeddingsRequest = z.object({
  model: z.string().min(1).max(200),
  input: z.union([
    z.string().min(1, "must not be empty"),
    z.array(z.string().min(1, "must not be empty")).min(1).max(2048),
    z.array(z.number().int().nonnegative()).min(1).max(100_000),
    z.array(z.array(z.number().int().nonnegative()).min(1).max(100_000)).min(1).max(2048),
  ]),
  dimensions: z.number().int().positive().max(100_000).nullish(),
  encoding_format: z.enum(["float", "base64"]).nullish(),
  user: z.string().max(256).nullish(),
});

export type EmbeddingsRequest = z.infer<typeof embeddingsRequest>;

/** Most input tokens one request may carry (OpenAI's own limit). */
export const MAX_EMBEDDING_REQUEST_TOKENS = 300_000;

/** The input as a list: texts, or token id arrays. */
export function inputList(input: EmbeddingsRequest["input"]): string[] | number[][] {
  if (typeof input === "string") return [input];
  if (input.length > 0 && typeof input[0] === "number") return [input as number[]];
  return input as string[] | number[][];
}

/** A vector as OpenAI's base64 encoding carries it: little-endian float32s. */
export function base64Vector(v: number[]): string {
  const f = new Float32Array(v);
  return Buffer.from(f.buffer, f.byteOffset, f.byteLength).toString("base64");
}

/** The reply body, in OpenAI's shape. */
export function embeddingsBody(p: { model: string; vectors: number[][]; promptTokens: number; base64: boolean }): string {
  return JSON.stringify({
    object: "list",
    data: p.vectors.map((v, index) => ({ object: "embedding", index, embedding: p.base64 ? base64Vector(v) : v })),
    model: p.model,
    usage: { prompt_tokens: p.promptTokens, total_tokens: p.promptTokens },
  });
}
