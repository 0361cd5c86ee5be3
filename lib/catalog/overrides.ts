/**
 * Operator overrides for the model catalog — the one file to edit to hide a model or a
 * provider, pin a weight, mark a model recommended, or change the reference price and the
 * CNY/USD rate. Model ids are catalog slugs (see /api/models); provider ids are the
 * dataset's (e.g. "deepseek", "openrouter").
 */

export type WeightOverride = {
  /** Plan tokens per input token × 1e6. */
  inMicro?: bigint;
  /** Plan tokens per output token × 1e6. */
  outMicro?: bigint;
  /** Plan tokens per cached input token × 1e6. */
  cachedInMicro?: bigint;
};

export type CatalogOverrides = {
  referencePrice?: {
    /** USD per 1M tokens that equals one plan token per token. */
    usdPerM?: number;
    /** Minimum weight (plan tokens per token × 1e6) so nothing is free by accident. */
    floorMicro?: bigint;
    /** Pinned CNY per USD. */
    cnyPerUsd?: number;
  };
  /** Catalog slugs hidden from /models, /api/models and routing. */
  hideModels?: string[];
  /** Providers never routed to nor listed. */
  hideProviders?: string[];
  /** Catalog slugs shown first and badged 推荐. */
  recommended?: string[];
  /** Fixed weights per catalog slug; unset fields stay derived. */
  weights?: Record<string, WeightOverride>;
  /** Display names per catalog slug. */
  names?: Record<string, string>;
};

/** Defaults: 1 plan token = USD 1.00 of list price per 1M tokens; floor 0.02 plan tokens per token. */
export const DEFAULT_REFERENCE_USD_PER_M = 1;
export const DEFAULT_FLOOR_MICRO = 20_000n;
export const DEFAULT_CNY_PER_USD = 7.2;

export const overrides: CatalogOverrides = {
  referencePrice: {
    usdPerM: DEFAULT_REFERENCE_USD_PER_M,
    floorMicro: DEFAULT_FLOOR_MICRO,
    cnyPerUsd: DEFAULT_CNY_PER_USD,
  },
  // Not things a subscriber can buy: a local-only server, a subscription product with no
  // per-token price (its "free" listings would undercut the real list prices), a routing
  // pseudo-model.
  hideProviders: ["lmstudio", "github-copilot"],
  hideModels: ["auto"],
  recommended: [
    "deepseek-chat",
    "deepseek-reasoner",
    "qwen3-coder-plus",
    "kimi-k2",
    "glm-4-5",
    "gpt-4o-mini",
    "gpt-4-1",
    "claude-sonnet-4",
    "gemini-2-5-flash",
    "gemini-2-5-pro",
  ],
  weights: {},
  names: {},
};
