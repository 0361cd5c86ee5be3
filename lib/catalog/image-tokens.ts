import { imageSize } from "image-size";
import { z } from "zod";
import { OPENAI_TILE_RULE, imageTokens, maxImageTokens, type ImageTokenRule } from "@/lib/metering";
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

/** The most one image of any size can cost on this model (the dearest of its routes and the default). */
export function modelMaxImageTokens(model: Pick<CatalogModel, "providers">): number {
  let n = maxImageTokens(OPENAI_TILE_RULE);
  for (const p of model.providers) n = Math.max(n, maxImageTokens(imageTokenRule(p.id)));
  return n;
}

/**
 * What an image sent by URL is held for on this model: a `data:` image is measured from its
 * bytes; a remote one (or bytes that are not an image) counts as the largest image could.
 */
export function imageUrlTokens(model: Pick<CatalogModel, "providers">, url: string): number {
  const m = /^data:image\/[a-z0-9.+-]+;base64,/i.exec(url);
  if (m) {
    try {
      const size = imageSize(Buffer.from(url.slice(m[0].length), "base64"));
      if (size.width && size.height) return modelImageTokens(model, { width: size.width, height: size.height });
    } catch {
      // Not a readable image: held at the most an image can cost.
    }
  }
  return modelMaxImageTokens(model);
}
