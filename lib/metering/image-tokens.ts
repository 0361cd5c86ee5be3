/**
 * What an image costs as input, by the rule its provider bills with. The default is OpenAI's
 * high-detail tile rule: the image is scaled to fit 2048×2048, then (if larger) so its shortest
 * side is 768 px; each 512-px tile costs 170 tokens, plus 85. Providers that bill by area (28×28
 * patches, Anthropic's w×h/750) have their rule in the catalog data (lib/catalog/image-tokens.ts).
 */
export type ImageTokenRule =
  | { kind: "tiles"; base: number; perTile: number; tile: number; fit: number; shortSide: number }
  | { kind: "pixels"; pixelsPerToken: number; maxSide?: number; min?: number; max?: number; extra?: number };

export const OPENAI_TILE_RULE: ImageTokenRule = { kind: "tiles", base: 85, perTile: 170, tile: 512, fit: 2048, shortSide: 768 };

/** Input tokens of one image of this size under a rule (an integer, rounded up). */
export function imageTokens(rule: ImageTokenRule, size: { width: number; height: number }): number {
  let w = Math.max(1, size.width);
  let h = Math.max(1, size.height);
  if (rule.kind === "tiles") {
    if (Math.max(w, h) > rule.fit) {
      const s = rule.fit / Math.max(w, h);
      w *= s;
      h *= s;
    }
    if (Math.min(w, h) > rule.shortSide) {
      const s = rule.shortSide / Math.min(w, h);
      w *= s;
      h *= s;
    }
    // A side a hair over a tile boundary after scaling (floating point) still rounds as the provider does: pixels are whole.
    const tiles = Math.ceil(Math.floor(w) / rule.tile) * Math.ceil(Math.floor(h) / rule.tile);
    return rule.base + rule.perTile * Math.max(1, tiles);
  }
  if (rule.maxSide && Math.max(w, h) > rule.maxSide) {
    const s = rule.maxSide / Math.max(w, h);
    w *= s;
    h *= s;
  }
  let n = Math.ceil((Math.ceil(w) * Math.ceil(h)) / rule.pixelsPerToken);
  if (rule.min !== undefined) n = Math.max(n, rule.min);
  if (rule.max !== undefined) n = Math.min(n, rule.max);
  return n + (rule.extra ?? 0);
}

/**
 * The most one image can cost under a rule, whatever its size: what a hold counts for an image
 * it cannot measure (a remote URL). Tiles: the largest image that survives the scaling (shortest
 * side × fit); by area: the rule's cap, else the largest side it keeps squared.
 */
export function maxImageTokens(rule: ImageTokenRule): number {
  if (rule.kind === "tiles") return rule.base + rule.perTile * Math.ceil(rule.shortSide / rule.tile) * Math.ceil(rule.fit / rule.tile);
  const bound = rule.max ?? (rule.maxSide ? Math.ceil((rule.maxSide * rule.maxSide) / rule.pixelsPerToken) : MAX_AREA_TOKENS);
  return Math.max(bound, rule.min ?? 0) + (rule.extra ?? 0);
}

/** An area rule with neither cap nor largest side: held as the largest the catalog's rules allow. */
const MAX_AREA_TOKENS = 16_384;
