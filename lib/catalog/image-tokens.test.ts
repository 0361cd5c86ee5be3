import { describe, expect, it } from "vitest";
import { OPENAI_TILE_RULE, imageTokens } from "@/lib/metering";
import { getModel, imageTokenRule, modelImageTokens } from ".";

describe("image tokens", () => {
  it("follows OpenAI's tile rule by default", () => {
    expect(imageTokens(OPENAI_TILE_RULE, { width: 1024, height: 1024 })).toBe(765); // 768×768 → 4 tiles
    expect(imageTokens(OPENAI_TILE_RULE, { width: 800, height: 600 })).toBe(765); // 2×2 tiles
    expect(imageTokens(OPENAI_TILE_RULE, { width: 2048, height: 4096 })).toBe(85 + 170 * 6); // → 1024×2048 → 768×1536
    expect(imageTokens(OPENAI_TILE_RULE, { width: 100, height: 100 })).toBe(255);
    expect(imageTokens(OPENAI_TILE_RULE, { width: 512, height: 513 })).toBe(85 + 170 * 2);
  });

  it("bills by area where the catalog data says the provider does", () => {
    expect(imageTokenRule("anthropic")).toMatchObject({ kind: "pixels", pixelsPerToken: 750 });
    expect(imageTokenRule("openai")).toBe(OPENAI_TILE_RULE);
    expect(imageTokens(imageTokenRule("anthropic"), { width: 1092, height: 1092 })).toBe(1590);
    expect(imageTokens(imageTokenRule("anthropic"), { width: 4000, height: 4000 })).toBe(1600);
    expect(imageTokens(imageTokenRule("volcengine-ark"), { width: 28 * 10, height: 28 * 10 })).toBe(100 + 2);
  });

  it("holds a model's image at the dearest of its routes' rules and the default", () => {
    const claude = getModel("claude-sonnet-4")!;
    const gpt = getModel("gpt-4o-mini")!;
    expect(modelImageTokens(claude, { width: 1092, height: 1092 })).toBe(1590);
    expect(modelImageTokens(gpt, { width: 1092, height: 1092 })).toBe(765);
    // A small image: the default tile rule is the dearer one.
    expect(modelImageTokens(claude, { width: 100, height: 100 })).toBe(255);
  });
});
