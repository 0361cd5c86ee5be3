import { describe, expect, it } from "vitest";
import { planRoutes, maxWeights } from "./policy";
import { providerPreferences, fromProviderPreferences } from "./preferences";
import { RouteHealth } from "./health";

const r = (providerId: string, inMicro: bigint, outMicro: bigint) => ({ providerId, weights: { inMicro, outMicro } });
const routes = [r("a", 3n, 3n), r("b", 1n, 1n), r("c", 2n, 2n)];
const speed: Record<string, { ttftMs: number | null; tokensPerSecond: number | null }> = {
  a: { ttftMs: 100, tokensPerSecond: 90 },
  b: { ttftMs: 900, tokensPerSecond: 20 },
  c: { ttftMs: 50, tokensPerSecond: 50 },
};
const ids = (p: { routes: { providerId: string }[] }) => p.routes.map((x) => x.providerId);

describe("route policy", () => {
  it("orders cheapest first by default, fastest, highest throughput or balanced on request", () => {
    const stats = (x: { providerId: string }) => speed[x.providerId]!;
    expect(ids(planRoutes({ routes, layers: [], stats }))).toEqual(["b", "c", "a"]);
    expect(ids(planRoutes({ routes, layers: [{ sort: "latency" }], stats }))).toEqual(["c", "a", "b"]);
    expect(ids(planRoutes({ routes, layers: [{ sort: "throughput" }], stats }))).toEqual(["a", "c", "b"]);
    // Balanced: c is second on price and first on speed.
    expect(ids(planRoutes({ routes, layers: [{ sort: "balanced" }], stats }))).toEqual(["c", "b", "a"]);
    // The strongest layer's sort wins; a route never measured sorts as fast (so it gets measured).
    expect(
      ids(
        planRoutes({
          routes,
          layers: [{ sort: "latency" }, { sort: "price" }],
          stats: (x) => (x.providerId === "b" ? { ttftMs: null, tokensPerSecond: null } : stats(x)),
        }),
      ),
    ).toEqual(["b", "c", "a"]);
  });

  it("narrows with only and ignore across layers, puts `order` first, and honours allow_fallbacks", () => {
    const stats = () => ({ ttftMs: null, tokensPerSecond: null });
    expect(ids(planRoutes({ routes, layers: [{ order: ["a"] }], stats }))).toEqual(["a", "b", "c"]);
    expect(ids(planRoutes({ routes, layers: [{ only: ["a", "c"] }, { ignore: ["c"] }], stats }))).toEqual(["a"]);
    expect(ids(planRoutes({ routes, layers: [{ allowFallbacks: false }], stats }))).toEqual(["b"]);
    expect(maxWeights(routes)).toEqual({ inMicro: 3n, outMicro: 3n });
  });

  it("validates a request's provider object as OpenRouter spells it, refusing unknown fields", () => {
    expect(fromProviderPreferences(providerPreferences.parse({ order: ["DeepSeek"], sort: "latency", allow_fallbacks: false }))).toEqual({
      order: ["deepseek"],
      sort: "latency",
      allowFallbacks: false,
    });
    expect(providerPreferences.safeParse({ sort: "cheapest" }).success).toBe(false);
    expect(providerPreferences.safeParse({ only: "deepseek" }).success).toBe(false);
    expect(providerPreferences.safeParse({ data_collection: "deny" }).success).toBe(false);
  });

  it("health: N failures in a row take a route out for its cool-down, one probe at a time brings it back", () => {
    let now = 0;
    const h = new RouteHealth({ failureThreshold: 2, coolDownMs: 1000, now: () => now });
    h.failure("x");
    expect(h.admit("x")).toBe("up");
    h.failure("x");
    expect(h.admit("x")).toBe("down");
    now = 1001;
    expect(h.admit("x")).toBe("probe");
    expect(h.admit("x")).toBe("down");
    h.success("x", { ttftMs: 200 });
    expect(h.admit("x")).toBe("up");
    h.success("x", { ttftMs: 100 });
    expect(h.stats("x").ttftMs).toBeCloseTo(170);
  });
});
