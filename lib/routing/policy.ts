import type { RouteNarrowing, RouteSort } from "./preferences";
import type { RouteStats } from "./health";

/** What the policy needs of a route. */
export type Routable = { providerId: string; weights: { inMicro: bigint; outMicro: bigint } };

export type RoutePlanInput<R extends Routable> = {
  /** The model's routes in the catalog's order. */
  routes: readonly R[];
  /** Narrowing layers, strongest first: the request's, then the key's, then the family owner's. */
  layers: readonly (RouteNarrowing | null | undefined)[];
  /** The deployment's default sort (price). */
  defaultSort?: RouteSort;
  /** Recent speed of a route (lib/routing/health). */
  stats: (route: R) => Pick<RouteStats, "ttftMs" | "tokensPerSecond">;
};

export type RoutePlan<R> = { routes: R[]; sort: RouteSort; allowFallbacks: boolean };

/** A route's price for ordering: plan tokens per input plus per output token (× 1e6). */
function priceOf(r: Routable): bigint {
  return r.weights.inMicro + r.weights.outMicro;
}

function ranks<R>(items: readonly R[], compare: (a: R, b: R) => number): Map<R, number> {
  const sorted = [...items].sort(compare);
  return new Map(sorted.map((r, i) => [r, i]));
}

/**
 * A request's ordered route list. `only` keeps the routes every layer allows, `ignore` drops any
 * route a layer ignores; the strongest layer's `sort` (else the default, cheapest first) orders
 * them; a layer's `order` puts the named providers first, in that order. A route whose speed is
 * not known yet sorts as if fast, so it gets measured. `allow_fallbacks: false` in any layer
 * leaves only the first route. Ties keep the catalog's order.
 */
export function planRoutes<R extends Routable>(input: RoutePlanInput<R>): RoutePlan<R> {
  const layers = input.layers.filter((l): l is RouteNarrowing => !!l);
  let routes = [...input.routes];
  for (const l of layers) {
    if (l.only) {
      const only = new Set(l.only);
      routes = routes.filter((r) => only.has(r.providerId));
    }
    if (l.ignore) {
      const ignore = new Set(l.ignore);
      routes = routes.filter((r) => !ignore.has(r.providerId));
    }
  }
  const sort = layers.find((l) => l.sort)?.sort ?? input.defaultSort ?? "price";
  const catalogIndex = new Map(input.routes.map((r, i) => [r, i]));
  const byCatalog = (a: R, b: R) => catalogIndex.get(a)! - catalogIndex.get(b)!;
  const byPrice = (a: R, b: R) => {
    const d = priceOf(a) - priceOf(b);
    return d < 0n ? -1 : d > 0n ? 1 : byCatalog(a, b);
  };
  const ttft = (r: R) => input.stats(r).ttftMs ?? 0;
  const tps = (r: R) => input.stats(r).tokensPerSecond ?? Number.POSITIVE_INFINITY;
  const byLatency = (a: R, b: R) => ttft(a) - ttft(b) || byPrice(a, b);
  const byThroughput = (a: R, b: R) => (tps(a) === tps(b) ? byPrice(a, b) : tps(b) > tps(a) ? 1 : -1);
  let compare: (a: R, b: R) => number;
  if (sort === "latency") compare = byLatency;
  else if (sort === "throughput") compare = byThroughput;
  else if (sort === "balanced") {
    const p = ranks(routes, byPrice);
    const l = ranks(routes, byLatency);
    compare = (a, b) => p.get(a)! + l.get(a)! - (p.get(b)! + l.get(b)!) || byPrice(a, b);
  } else compare = byPrice;
  routes.sort(compare);

  const order = layers.find((l) => l.order && l.order.length > 0)?.order;
  if (order) {
    const pos = new Map(order.map((id, i) => [id, i]));
    const named = routes.filter((r) => pos.has(r.providerId)).sort((a, b) => pos.get(a.providerId)! - pos.get(b.providerId)!);
    routes = [...named, ...routes.filter((r) => !pos.has(r.providerId))];
  }
  const allowFallbacks = !layers.some((l) => l.allowFallbacks === false);
  return { routes: allowFallbacks ? routes : routes.slice(0, 1), sort, allowFallbacks };
}

/** The highest weights among the routes: a hold sized with them covers whichever route serves. */
export function maxWeights(routes: readonly Routable[]): { inMicro: bigint; outMicro: bigint } {
  let inMicro = 0n;
  let outMicro = 0n;
  for (const r of routes) {
    if (r.weights.inMicro > inMicro) inMicro = r.weights.inMicro;
    if (r.weights.outMicro > outMicro) outMicro = r.weights.outMicro;
  }
  return { inMicro, outMicro };
}
