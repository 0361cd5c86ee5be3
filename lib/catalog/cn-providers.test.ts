import { describe, expect, it } from "vitest";
import data from "./data/cn-providers.json";
import { cnProvidersFile } from "./cn-providers";
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

  it("refuses a malformed file: a bad key name, a negative price, an output above the context", () => {
    const bad = structuredClone(data) as { providers: { keyEnv: string; models: { price: { input: number }; output: number; context: number }[] }[] };
    bad.providers[0]!.keyEnv = "ark key";
    expect(cnProvidersFile.safeParse(bad).success).toBe(false);
    const neg = structuredClone(data) as typeof bad;
    neg.providers[0]!.models[0]!.price.input = -1;
    expect(cnProvidersFile.safeParse(neg).success).toBe(false);
    const long = structuredClone(data) as typeof bad;
    long.providers[0]!.models[0]!.output = long.providers[0]!.models[0]!.context + 1;
    expect(cnProvidersFile.safeParse(long).success).toBe(false);
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
    const ds = getModel("deepseek-chat")!;
    const both = resolveRoutes(ds, { providerKey: env({ DEEPSEEK_API_KEY: "a", SILICONFLOW_API_KEY: "b" }), demoMode: false, demoBaseUrl: "" });
    expect(both.map((r) => [r.providerId, r.providerModelId])).toEqual([
      ["deepseek", "deepseek-chat"],
      ["siliconflow-cn", "deepseek-ai/DeepSeek-V3.2"],
    ]);
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
