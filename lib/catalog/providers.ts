/**
 * How to reach each dataset provider through the OpenAI-compatible chat API. Providers the
 * dataset marks "@ai-sdk/openai-compatible" carry their own base URL; for the ones it maps to a
 * native AI SDK package we use the provider's documented OpenAI-compatible endpoint instead,
 * so one adapter (and one streaming path) serves them all. Providers with no such endpoint
 * that works from a single key (Bedrock, Vertex, Azure) stay listed but are not callable.
 */

export type ProviderAccess = {
  /** Base URL; `{NAME}` placeholders are filled from the environment variable NAME. */
  baseUrl: string;
  /** Which of the dataset's env keys holds the bearer token. Defaults to the first. */
  apiKeyEnv?: string;
};

export const OPENAI_COMPATIBLE_ENDPOINTS: Record<string, ProviderAccess> = {
  openai: { baseUrl: "https://api.openai.com/v1" },
  anthropic: { baseUrl: "https://api.anthropic.com/v1" },
  google: { baseUrl: "https://generativelanguage.googleapis.com/v1beta/openai" },
  groq: { baseUrl: "https://api.groq.com/openai/v1" },
  mistral: { baseUrl: "https://api.mistral.ai/v1" },
  xai: { baseUrl: "https://api.x.ai/v1" },
  cerebras: { baseUrl: "https://api.cerebras.ai/v1" },
  deepinfra: { baseUrl: "https://api.deepinfra.com/v1/openai" },
  togetherai: { baseUrl: "https://api.together.xyz/v1" },
  perplexity: { baseUrl: "https://api.perplexity.ai" },
  requesty: { baseUrl: "https://router.requesty.ai/v1" },
  vercel: { baseUrl: "https://ai-gateway.vercel.sh/v1" },
  v0: { baseUrl: "https://api.v0.dev/v1" },
  "cloudflare-workers-ai": {
    baseUrl: "https://api.cloudflare.com/client/v4/accounts/{CLOUDFLARE_ACCOUNT_ID}/ai/v1",
    apiKeyEnv: "CLOUDFLARE_API_KEY",
  },
};

/** Providers whose models are the vendor's own; their price is the list price. */
export const FIRST_PARTY_PROVIDERS = [
  "openai",
  "anthropic",
  "google",
  "deepseek",
  "xai",
  "mistral",
  "alibaba",
  "alibaba-cn",
  "moonshotai",
  "moonshotai-cn",
  "zai",
  "zhipuai",
  "perplexity",
  "upstage",
  "inception",
  "morph",
  "v0",
  "llama",
] as const;

/** `DEEPSEEK_BASE_URL` for "deepseek", `FIREWORKS_AI_BASE_URL` for "fireworks-ai". */
export function baseUrlOverrideEnv(providerId: string): string {
  return `${providerId.toUpperCase().replace(/[^A-Z0-9]+/g, "_")}_BASE_URL`;
}

/** Fills `{NAME}` placeholders; undefined when one is missing. */
export function fillTemplate(template: string, lookup: (name: string) => string | undefined): string | undefined {
  let missing = false;
  const out = template.replace(/\{([A-Z0-9_]+)\}/g, (_, name: string) => {
    const v = lookup(name);
    if (!v) missing = true;
    return v ?? "";
  });
  return missing ? undefined : out;
}
