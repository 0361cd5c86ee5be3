import { describe, expect, it } from "vitest";
import data from "./data/cn-providers.json";
import { cnProvidersFile, mergeCnProviders } from "./cn-providers";
import { buildCatalog, getCatalog, getModel, resolveRoutes, type RawCatalog } from "@/lib/catalog";

const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe("Chinese providers' data file", () => {
  it("is valid, dated, and names each provider's endpoint, key variable and price page", () => {
    const f = cnProvidersFile.parse(data);
    expect(f.checkedAt).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    expect(f.providers.map((p) => p.id)).toEqual(
      expect.arrayContaining(["volcengine-ark", "alibaba-cn", "hunyuan", "qianfan", "minimax", "siliconflow-cn", "moonshotai-cn", "zhipuai", "deepseek"]),
    );
    for (const p of f.providers) {
      expect(p.baseUrl).toMatch(/^https:\/\//);
      expect(p.keyEnv).toMatch(/_API_KEY$/);
    }
  });

  it("refuses a malformed file: a bad key name, a negative price, an output above the context, an empty or long note", () => {
    const bad = structuredClone(data) as { providers: { keyEnv: string; models: { price: { input: number }; output: number; context: number }[] }[] };
    bad.providers[0]!.keyEnv = "ark key";
    expect(cnProvidersFile.safeParse(bad).success).toBe(false);
    const neg = structuredClone(data) as typeof bad;
    neg.providers[0]!.models[0]!.price.input = -1;
    expect(cnProvidersFile.safeParse(neg).success).toBe(false);
    const long = structuredClone(data) as typeof bad;
    long.providers[0]!.models[0]!.output = long.providers[0]!.models[0]!.context + 1;
    expect(cnProvidersFile.safeParse(long).success).toBe(false);
    // A model's note says something, briefly.
    const emptyNote = structuredClone(data) as unknown as { providers: { models: { note?: string }[] }[] };
    emptyNote.providers[0]!.models[0]!.note = "";
    expect(cnProvidersFile.safeParse(emptyNote).success).toBe(false);
    emptyNote.providers[0]!.models[0]!.note = "x".repeat(401);
    expect(cnProvidersFile.safeParse(emptyNote).success).toBe(false);
  });

  it("says for every model where and when it was confirmed, or that it was not", () => {
    const f = cnProvidersFile.parse(data);
    let confirmed = 0;
    for (const p of f.providers) {
      const named = new Set(p.verified.flatMap((v) => v.models));
      for (const v of p.verified) {
        expect(v.source).toMatch(/^https:\/\//);
        expect(v.checked <= f.checkedAt, `${p.id} checked after the file's date`).toBe(true);
      }
      for (const m of p.models) {
        expect(named.has(m.id) !== (m.unverified === true), `${p.id}/${m.id}`).toBe(true);
        if (named.has(m.id)) confirmed++;
      }
    }
    expect(confirmed).toBeGreaterThan(0);
  });

  it("refuses a model neither confirmed nor marked, one both, and a source naming no model of the provider", () => {
    type Loose = {
      providers: { id: string; verified: { source: string; checked: string; models: string[] }[]; models: { id: string; unverified?: boolean }[] }[];
    };
    const at = (f: Loose, id: string) => f.providers.find((p) => p.id === id)!;
    const neither = structuredClone(data) as unknown as Loose;
    delete at(neither, "moonshotai-cn").models[0]!.unverified;
    expect(cnProvidersFile.safeParse(neither).success).toBe(false);
    const both = structuredClone(data) as unknown as Loose;
    at(both, "deepseek").models[0]!.unverified = true;
    expect(cnProvidersFile.safeParse(both).success).toBe(false);
    const stray = structuredClone(data) as unknown as Loose;
    at(stray, "deepseek").verified[0]!.models.push("deepseek-chat");
    expect(cnProvidersFile.safeParse(stray).success).toBe(false);
    const badDate = structuredClone(data) as unknown as Loose;
    at(badDate, "deepseek").verified[0]!.checked = "30.11.2026";
    expect(cnProvidersFile.safeParse(badDate).success).toBe(false);
    // A route's own fields never replace what the gateway sends.
    const reserved = structuredClone(data) as unknown as Loose;
    (at(reserved, "deepseek").models[0] as Record<string, unknown>).body = { stream: false };
    expect(cnProvidersFile.safeParse(reserved).success).toBe(false);
    const plain = structuredClone(data) as unknown as Loose;
    at(plain, "deepseek").verified[0]!.source = "http://api-docs.deepseek.com/";
    expect(cnProvidersFile.safeParse(plain).success).toBe(false);
  });

  it("keeps a retired id's slug and calls the vendor's current id for it, in the mode the slug meant", () => {
    // DeepSeek retired deepseek-chat and deepseek-reasoner; both slugs now call deepseek-flash,
    // which thinks unless told not to: deepseek-chat was the non-thinking mode.
    for (const [slug, thinking] of [
      ["deepseek-chat", "disabled"],
      ["deepseek-reasoner", "enabled"],
    ] as const) {
      const m = getModel(slug)!;
      expect(m.listPrice.source).toBe("deepseek");
      expect(m.providers.filter((p) => p.id === "deepseek").map((p) => p.modelId)).toEqual(["deepseek-flash"]);
      // CNY 2 / 8 per 1M (peak) at 7.2 CNY per USD; the cache-hit price (0.04) is under the floor.
      expect(m.weights).toEqual({ inMicro: 277_778n, outMicro: 1_111_112n, cachedInMicro: 20_000n });
      expect(m.capabilities).toMatchObject({ tools: true, imageInput: true });
      const ds = resolveRoutes(m, { providerKey: env({ DEEPSEEK_API_KEY: "a" }), demoMode: false, demoBaseUrl: "" });
      expect(ds.map((r) => [r.providerId, r.providerModelId, r.baseUrl, r.extraBody])).toEqual([
        ["deepseek", "deepseek-flash", "https://api.deepseek.com", { thinking: { type: thinking } }],
      ]);
    }
    expect(getModel("deepseek-reasoner")!.capabilities.reasoning).toBe(true);
    // The demo upstream gets no provider's fields.
    expect(resolveRoutes(getModel("deepseek-chat"), { providerKey: env({}), demoMode: true, demoBaseUrl: "http://d/v1" })[0]!.extraBody).toBeUndefined();
  });

  it("turns CNY list prices into weights at the catalog's CNY/USD rate", () => {
    const doubao = getModel("doubao-seed-1-6-250615")!;
    expect(doubao.listPrice.source).toBe("volcengine-ark");
    // CNY 0.8 / 8 per 1M at 7.2 CNY per USD: USD 0.1111… / 1.1111… per 1M, rounded up.
    expect(doubao.weights.inMicro).toBe(111_112n);
    expect(doubao.weights.outMicro).toBe(1_111_112n);
    expect(doubao.capabilities).toMatchObject({ tools: true, reasoning: true, imageInput: true });
    expect(doubao.limits).toEqual({ context: 262_144, output: 32_768 });
    // Another rate, other weights: pinned in the overrides.
    const at7 = getCatalog({ overrides: { referencePrice: { cnyPerUsd: 8 } } }).models.find((m) => m.id === "doubao-seed-1-6-250615")!;
    expect(at7.weights.inMicro).toBe(100_000n);
  });

  it("prices the models confirmed on 2026-11-30 (vendors' price pages, and a third party's CNY list for qwen3-max)", () => {
    // MiniMax-M2.7: CNY 2.1 / 8.4, cache read 0.42; GLM-5.3: CNY 8 / 28, cache hit 2 (at 7.2 CNY per USD, rounded up).
    for (const [slug, provider, modelId, weights] of [
      ["minimax-m2-7", "minimax", "MiniMax-M2.7", { inMicro: 291_667n, outMicro: 1_166_667n, cachedInMicro: 58_334n }],
      ["glm-5-3", "zhipuai", "glm-5.3", { inMicro: 1_111_112n, outMicro: 3_888_889n, cachedInMicro: 277_778n }],
    ] as const) {
      const m = getModel(slug)!;
      expect(m.listPrice.source, slug).toBe(provider);
      expect(m.providers.map((p) => [p.id, p.modelId])).toEqual([[provider, modelId]]);
      expect(m.weights, slug).toEqual(weights);
    }
    expect(getModel("glm-5-3")!.limits.context).toBe(1_000_000);
    // qwen3-max (2026-01-23 snapshot): CNY 2.5 / 10, cache 0.5 at input ≤ 32K, no longer the preview's 6 / 24.
    const qwen3Max = getModel("qwen3-max")!;
    expect(qwen3Max.listPrice.source).toBe("alibaba-cn");
    expect(qwen3Max.weights).toEqual({ inMicro: 347_223n, outMicro: 1_388_889n, cachedInMicro: 69_445n });
    expect(qwen3Max.capabilities.reasoning).toBe(true);
  });

  it("no longer offers a route the vendor retired, the dataset's route of that id included", () => {
    // Model Studio took qwen-turbo offline on 2026-10-10; it had no other route.
    expect(getModel("qwen-turbo")).toBeUndefined();
    expect(getModel("qwen-plus")!.providers.map((p) => p.id)).toContain("alibaba-cn");
    // The merge drops the dataset's own route of a retired id and keeps the provider's others.
    const f = cnProvidersFile.parse(data);
    const alibaba = f.providers.find((p) => p.id === "alibaba-cn")!;
    const raw: RawCatalog = {
      "alibaba-cn": {
        id: "alibaba-cn",
        name: "Alibaba (China)",
        models: {
          "qwen-turbo": { id: "qwen-turbo", name: "Qwen Turbo", cost: { input: 0.05, output: 0.2 }, limit: { context: 131_072, output: 8_192 } },
          "qwen-long": { id: "qwen-long", name: "Qwen Long", cost: { input: 0.07, output: 0.28 }, limit: { context: 1_000_000, output: 8_192 } },
        },
      },
    };
    const merged = mergeCnProviders(raw, { ...f, providers: [alibaba] }, 7.2)["alibaba-cn"]!.models;
    expect(Object.keys(merged)).not.toContain("qwen-turbo");
    expect(Object.keys(merged)).toEqual(expect.arrayContaining(["qwen-long", "qwen-plus", "qwen3-max"]));
    // Retired says where: a retirement without a note is refused.
    const bare = structuredClone(data) as unknown as { providers: { id: string; models: { id: string; note?: string }[] }[] };
    delete bare.providers.find((p) => p.id === "alibaba-cn")!.models.find((m) => m.id === "qwen-turbo")!.note;
    expect(cnProvidersFile.safeParse(bare).success).toBe(false);
  });

  it("takes the cache prices and limits a third party's CNY list states where the file had none or others", () => {
    // ERNIE 4.5 Turbo 128K: CNY 0.8 / 3.2 as before, now with its cache-hit price 0.2 (7.2 CNY per USD, rounded up).
    const ernie = getModel("ernie-4-5-turbo-128k")!;
    expect(ernie.listPrice.source).toBe("qianfan");
    expect(ernie.weights).toEqual({ inMicro: 111_112n, outMicro: 444_445n, cachedInMicro: 27_778n });
    // Hunyuan T1: 96K context, 64K output (the file had 32,768 for both); GLM-4.6: 200,000 context, not 204,800.
    expect(getModel("hunyuan-t1")!.limits).toEqual({ context: 96_000, output: 64_000 });
    expect(getModel("glm-4-6")!.limits).toEqual({ context: 200_000, output: 131_072 });
  });

  it("makes each provider callable with its own key variable, and joins a reseller's route to the vendor's model", () => {
    for (const [slug, key, base] of [
      ["doubao-seed-1-6-250615", "ARK_API_KEY", "https://ark.cn-beijing.volces.com/api/v3"],
      ["qwen3-max", "DASHSCOPE_API_KEY", "https://dashscope.aliyuncs.com/compatible-mode/v1"],
      ["hunyuan-turbos", "HUNYUAN_API_KEY", "https://api.hunyuan.cloud.tencent.com/v1"],
      ["ernie-4-5-turbo-128k", "QIANFAN_API_KEY", "https://qianfan.baidubce.com/v2"],
      ["minimax-m2", "MINIMAX_API_KEY", "https://api.minimaxi.com/v1"],
      ["glm-4-6", "ZHIPU_API_KEY", "https://open.bigmodel.cn/api/paas/v4"],
    ] as const) {
      const routes = resolveRoutes(getModel(slug), { providerKey: env({ [key]: "sk" }), demoMode: false, demoBaseUrl: "" });
      expect(
        routes.map((r) => r.baseUrl),
        slug,
      ).toEqual([base]);
    }
    const kimi = getModel("kimi-k2-0905-preview")!;
    const both = resolveRoutes(kimi, { providerKey: env({ MOONSHOT_API_KEY: "a", SILICONFLOW_API_KEY: "b" }), demoMode: false, demoBaseUrl: "" });
    const pairs = both.map((r) => [r.providerId, r.providerModelId]);
    expect(pairs[0]).toEqual(["moonshotai-cn", "kimi-k2-0905-preview"]);
    expect(pairs).toContainEqual(["siliconflow-cn", "moonshotai/Kimi-K2-Instruct-0905"]);
    // SiliconFlow's DeepSeek V3.2 is not DeepSeek's current model: it no longer joins deepseek-chat.
    expect(getModel("deepseek-chat")!.providers.some((p) => p.id === "siliconflow-cn")).toBe(false);
  });

  it("a provider marked first-party sets the model's list price", () => {
    const raw: RawCatalog = {
      vendor: {
        id: "vendor",
        name: "V",
        api: "https://v.example/v1",
        env: ["V_API_KEY"],
        firstParty: true,
        models: { m: { id: "m", name: "M", cost: { input: 5, output: 5 } } },
      },
      reseller: {
        id: "reseller",
        name: "R",
        api: "https://r.example/v1",
        env: ["R_API_KEY"],
        models: { m: { id: "m", name: "M", cost: { input: 1, output: 1 } } },
      },
    };
    expect(buildCatalog(raw).models[0]!.listPrice.source).toBe("vendor");
  });
});
