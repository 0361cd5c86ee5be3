import { z } from "zod";
import { OPENAI_TILE_RULE, imageTokens, type ImageTokenRule } from "@/lib/metering";
import data from "./data/image-token-rules.json";
import type { CatalogModel } from "./types";

const positive = z.number().int().positive();
const rule = z.discriminatedUnion("kind", [
  z
    .object({
      kind: z.literal("tiles"),
      base: z.number().int().min(0),
      perTile: positive,
      tile: positive,
      fit: positive,
      shortSide: positive,
      source: z.string().url(),
    })
    .strict(),
  z
    .object({
      kind: z.literal("pixels"),
      pixelsPerToken: positive,
      maxSide: positive.optional(),
      min: z.number().int().min(0).optional(),
      max: positive.optional(),
      extra: z.number().int().min(0).optional(),
      source: z.string().url(),
    })
    .strict(),
]);

export const imageTokenRulesFile = z
  .object({
    checkedAt: z.string().regex(/^\d{4}-\d{2}-\d{2}$/),
    note: z.string().optional(),
    providers: z.record(z.string().regex(/^[a-z0-9][a-z0-9-]*$/), rule),
  })
  .strict();

/** Per-provider image billing rules (catalog data), validated once. */
const RULES: Record<string, ImageTokenRule> = imageTokenRulesFile.parse(data).providers;

/** The rule a provider bills images by (OpenAI's tile rule unless the catalog data says otherwise). */
export function imageTokenRule(providerId: string): ImageTokenRule {
  return RULES[providerId] ?? OPENAI_TILE_RULE;
}

/**
 * What one image of this size is held for on this model: the dearest of its routes' rules and
 * the default tile rule (the demo upstream and an unknown route bill by it), so the hold is never
 * below what any route the request may take would report.
 */
export function modelImageTokens(model: Pick<CatalogModel, "providers">, size: { width: number; height: number }): number {
  let n = imageTokens(OPENAI_TILE_RULE, size);
  for (const p of model.providers) n = Math.max(n, imageTokens(imageTokenRule(p.id), size));
  return n;
}
