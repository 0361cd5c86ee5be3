/** A provider route for one catalog model: who serves it, under which id, at what list price. */
export type CatalogProviderRoute = {
  /** Provider id from the dataset, e.g. "deepseek", "openrouter". */
  id: string;
  name: string;
  /** The provider's own model id, sent upstream. */
  modelId: string;
  /**
   * Fields this route always sends with the model id (from the data file), e.g. DeepSeek's
   * `thinking: {type: "disabled"}` that makes the deepseek-chat slug the non-thinking mode.
   */
  extraBody?: Record<string, unknown>;
  /** OpenAI-compatible base URL when known (dataset value or our compat table). */
  apiBase?: string;
  /** The AI SDK package the dataset names for this provider. */
  npm: string;
  /** Environment variable names the provider needs (all must be set for it to be live). */
  envKeys: string[];
  /** Whether we can call it through the OpenAI-compatible adapter. */
  callable: boolean;
  inputUsdPerM: number;
  outputUsdPerM: number;
  cachedInputUsdPerM?: number;
  /** True when the dataset lists no price for this route. */
  unpriced?: boolean;
  /** The dataset's model name on this provider. */
  modelName: string;
  /**
   * What a request served by this route is charged: from this route's own list price (the
   * model's weights when the route lists no price, or when the operator pinned the model's).
   */
  weights: ModelWeights;
};

/** Plan tokens charged per upstream token, × 1e6 (fixed point), floor applied. */
export type ModelWeights = {
  inMicro: bigint;
  outMicro: bigint;
  cachedInMicro?: bigint;
};

export type ModelCapabilities = {
  reasoning: boolean;
  tools: boolean;
  imageInput: boolean;
  /** File/attachment input of any kind. */
  attachments: boolean;
  openWeights: boolean;
  temperature: boolean;
};

export type CatalogModel = {
  /** Stable slug, e.g. "deepseek-chat". */
  id: string;
  name: string;
  family?: string;
  /** Routes, preferred first: first-party provider, then cheapest. */
  providers: CatalogProviderRoute[];
  /**
   * The list price the weights come from (USD per 1M tokens). `source`: a provider id (the
   * vendor's own price), "median:<provider>", "free" (listed at zero) or "unpriced".
   */
  listPrice: { inputUsdPerM: number; outputUsdPerM: number; cachedInputUsdPerM?: number; source: string };
  weights: ModelWeights;
  /** Which weights were set by the operator rather than derived. */
  weightsOverridden?: boolean;
  /** True when a weight hit the floor. */
  floored?: boolean;
  limits: { context: number; output: number };
  capabilities: ModelCapabilities;
  releaseDate?: string;
  knowledge?: string;
  recommended?: boolean;
  hidden?: boolean;
};

export type CatalogProvider = {
  id: string;
  name: string;
  npm: string;
  apiBase?: string;
  envKeys: string[];
  callable: boolean;
  doc?: string;
  modelCount: number;
};

export type ReferencePrice = {
  /** USD per 1M upstream tokens that one plan token per token stands for. */
  usdPerM: number;
  /** Minimum weight, plan tokens per token × 1e6. */
  floorMicro: bigint;
  /** Pinned CNY per USD, for showing list prices in yuan. */
  cnyPerUsd: number;
};

export type Catalog = {
  models: CatalogModel[];
  providers: CatalogProvider[];
  referencePrice: ReferencePrice;
  builtAt: string;
  /** Dataset the catalog was built from. */
  source: { name: string; models: number; providers: number };
};
