import { describe, expect, it } from "vitest";
import { listedModels, parseModelQuery, queryCatalog, serializeModelQuery } from "@/lib/catalog";

describe("catalog query (URL state of /models)", () => {
  const models = listedModels();

  it("round-trips URL state and drops junk", () => {
    const q = parseModelQuery(new URLSearchParams("q=claude&provider=anthropic,openrouter&cap=reasoning,bogus&ctx=128k&price=premium&sort=newest&page=2"));
    expect(q).toEqual({ q: "claude", providers: ["anthropic", "openrouter"], caps: ["reasoning"], ctx: "128k", price: "premium", sort: "newest", page: 2 });
    expect(serializeModelQuery(q)).toBe("?q=claude&provider=anthropic%2Copenrouter&cap=reasoning&ctx=128k&price=premium&sort=newest&page=2");
    expect(parseModelQuery({ sort: "nope", page: "-3", ctx: "9k" })).toMatchObject({ sort: "recommended", page: 1, ctx: undefined });
    expect(serializeModelQuery(parseModelQuery({}))).toBe("");
  });

  it("searches names, ids and providers", () => {
    const r = queryCatalog(models, parseModelQuery({ q: "deepseek reasoner" }));
    expect(r.items.map((m) => m.id)).toContain("deepseek-reasoner");
    expect(queryCatalog(models, parseModelQuery({ q: "gpt-4.1" })).items.map((m) => m.id)).toContain("gpt-4-1");
  });

  it("filters by provider, capability, context and price band", () => {
    const r = queryCatalog(models, parseModelQuery({ provider: "deepseek", cap: "reasoning", ctx: "32k" }), 1000);
    expect(r.items.length).toBeGreaterThan(0);
    for (const m of r.items) {
      expect(m.providers.some((p) => p.id === "deepseek")).toBe(true);
      expect(m.capabilities.reasoning).toBe(true);
      expect(m.limits.context).toBeGreaterThanOrEqual(32_000);
    }
    const flagship = queryCatalog(models, parseModelQuery({ price: "flagship" }), 1000).items;
    expect(flagship.every((m) => m.weights.outMicro > 20_000_000n)).toBe(true);
    expect(flagship.map((m) => m.id)).toContain("claude-opus-4");
  });

  it("sorts and paginates", () => {
    const cheap = queryCatalog(models, parseModelQuery({ sort: "price" }), 1000).items;
    for (let i = 1; i < cheap.length; i++)
      expect(cheap[i - 1].weights.inMicro + cheap[i - 1].weights.outMicro).toBeLessThanOrEqual(cheap[i].weights.inMicro + cheap[i].weights.outMicro);
    const ctx = queryCatalog(models, parseModelQuery({ sort: "context" })).items;
    expect(ctx[0].limits.context).toBeGreaterThanOrEqual(ctx[1].limits.context);
    const first = queryCatalog(models, parseModelQuery({}));
    expect(first.items[0].recommended).toBe(true);
    expect(first.pages).toBe(Math.ceil(models.length / 24));
    const last = queryCatalog(models, parseModelQuery({ page: "999" }));
    expect(last.page).toBe(first.pages);
    expect(last.items.length).toBeGreaterThan(0);
  });
});
