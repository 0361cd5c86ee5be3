import { z } from "zod";
import { weightMicro } from "@/lib/metering";
import { baseUrlOverrideEnv } from "./providers";
import type { ResolvedRoute, RouteOptions } from "./route";
import type { ReferencePrice } from "./types";

/**
 * Embedding models served on /api/v1/embeddings. The models.dev dataset the chat catalog is built
 * from lists almost none, so they are data here: list prices in USD per 1M input tokens from the
 * vendors' price pages (checked 2026-11-29), validated when loaded.
 */
const embeddingModelSchema = z.object({
  id: z.string().min(1),
  name: z.string().min(1),
  provider: z.object({ id: z.string().min(1), modelId: z.string().min(1), baseUrl: z.url(), keyEnv: z.string().regex(/^[A-Z0-9_]+$/) }),
  inputUsdPerM: z.number().nonnegative(),
  /** Vector length, and whether `dimensions` may shorten it. */
  dimensions: z.number().int().positive(),
  shortens: z.boolean(),
  /** Longest input, in tokens. */
  maxInputTokens: z.number().int().positive(),
});

export type EmbeddingModel = z.infer<typeof embeddingModelSchema> & { weightInMicro: bigint };

const DATA = z.array(embeddingModelSchema).parse([
  {
    id: "text-embedding-3-small",
    name: "OpenAI text-embedding-3-small",
    provider: { id: "openai", modelId: "text-embedding-3-small", baseUrl: "https://api.openai.com/v1", keyEnv: "OPENAI_API_KEY" },
    inputUsdPerM: 0.02,
    dimensions: 1536,
    shortens: true,
    maxInputTokens: 8191,
  },
  {
    id: "text-embedding-3-large",
    name: "OpenAI text-embedding-3-large",
    provider: { id: "openai", modelId: "text-embedding-3-large", baseUrl: "https://api.openai.com/v1", keyEnv: "OPENAI_API_KEY" },
    inputUsdPerM: 0.13,
    dimensions: 3072,
    shortens: true,
    maxInputTokens: 8191,
  },
  {
    id: "text-embedding-ada-002",
    name: "OpenAI text-embedding-ada-002",
    provider: { id: "openai", modelId: "text-embedding-ada-002", baseUrl: "https://api.openai.com/v1", keyEnv: "OPENAI_API_KEY" },
    inputUsdPerM: 0.1,
    dimensions: 1536,
    shortens: false,
    maxInputTokens: 8191,
  },
]);

/** The embedding models with their input weight under this reference price. */
export function embeddingModels(ref: Pick<ReferencePrice, "usdPerM" | "floorMicro">): EmbeddingModel[] {
  return DATA.map((m) => ({ ...m, weightInMicro: weightMicro(m.inputUsdPerM, ref.usdPerM, ref.floorMicro) }));
}

/** Where an embedding request goes: the provider when its key is set, else the demo upstream in demo mode. */
export function resolveEmbeddingRoute(m: EmbeddingModel, options: RouteOptions): ResolvedRoute | null {
  const key = options.providerKey(m.provider.keyEnv);
  if (key) {
    const baseUrl = options.providerKey(baseUrlOverrideEnv(m.provider.id)) ?? m.provider.baseUrl;
    return {
      kind: "live",
      providerId: m.provider.id,
      providerModelId: m.provider.modelId,
      baseUrl: baseUrl.replace(/\/+$/, ""),
      apiKey: key,
      modelId: m.id,
      weights: { inMicro: m.weightInMicro, outMicro: 0n },
    };
  }
  if (!options.demoMode) return null;
  return {
    kind: "demo",
    providerId: "demo",
    providerModelId: m.id,
    baseUrl: options.demoBaseUrl.replace(/\/+$/, ""),
    apiKey: "demo",
    modelId: m.id,
    weights: { inMicro: m.weightInMicro, outMicro: 0n },
  };
}
