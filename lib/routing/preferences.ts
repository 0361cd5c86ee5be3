import { z } from "zod";

/** How a model's routes are ordered: cheapest first (default), fastest (recent TTFT), highest recent throughput, or a balance of price and speed. */
export const ROUTE_SORTS = ["price", "latency", "throughput", "balanced"] as const;
export type RouteSort = (typeof ROUTE_SORTS)[number];

const providerId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/i, "a provider id such as deepseek or siliconflow-cn");

/**
 * A request's provider preferences, spelled as OpenRouter spells them (`provider: { order, only,
 * ignore, sort, allow_fallbacks }`). Unknown fields are refused by name rather than ignored.
 */
export const providerPreferences = z
  .object({
    order: z.array(providerId).max(32).optional(),
    only: z.array(providerId).max(64).optional(),
    ignore: z.array(providerId).max(64).optional(),
    sort: z.enum(ROUTE_SORTS).optional(),
    allow_fallbacks: z.boolean().optional(),
  })
  .strict();
export type ProviderPreferences = z.infer<typeof providerPreferences>;

/** One layer that narrows or orders a model's routes: the key's setting, the family owner's, the request's. */
export type RouteNarrowing = {
  order?: readonly string[];
  only?: readonly string[];
  ignore?: readonly string[];
  sort?: RouteSort;
  allowFallbacks?: boolean;
};

/** The request's `provider` object as a narrowing layer. */
export function fromProviderPreferences(p: ProviderPreferences | null | undefined): RouteNarrowing | undefined {
  if (!p) return undefined;
  return {
    ...(p.order ? { order: p.order.map((s) => s.toLowerCase()) } : {}),
    ...(p.only ? { only: p.only.map((s) => s.toLowerCase()) } : {}),
    ...(p.ignore ? { ignore: p.ignore.map((s) => s.toLowerCase()) } : {}),
    ...(p.sort ? { sort: p.sort } : {}),
    ...(p.allow_fallbacks !== undefined ? { allowFallbacks: p.allow_fallbacks } : {}),
  };
}
