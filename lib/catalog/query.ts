import type { CatalogModel } from "./types";

export const CAPABILITIES = ["reasoning", "tools", "vision"] as const;
export type CapabilityFilter = (typeof CAPABILITIES)[number];

/** Minimum context length bands. */
export const CONTEXT_BANDS = { "32k": 32_000, "128k": 128_000, "200k": 200_000, "1m": 1_000_000 } as const;
export type ContextBand = keyof typeof CONTEXT_BANDS;

/** Output weight bands, plan tokens per output token × 1e6: [min, max). */
export const PRICE_BANDS = {
  budget: [0n, 1_000_001n],
  standard: [1_000_001n, 5_000_001n],
  premium: [5_000_001n, 20_000_001n],
  flagship: [20_000_001n, 1n << 62n],
} as const;
export type PriceBand = keyof typeof PRICE_BANDS;

export const SORTS = ["recommended", "price", "price-desc", "newest", "context"] as const;
export type ModelSort = (typeof SORTS)[number];

export type ModelQuery = {
  q: string;
  providers: string[];
  caps: CapabilityFilter[];
  ctx?: ContextBand;
  price?: PriceBand;
  sort: ModelSort;
  page: number;
};

export const PAGE_SIZE = 24;

type Params = Record<string, string | string[] | undefined> | URLSearchParams;

function read(params: Params, key: string): string | undefined {
  if (params instanceof URLSearchParams) return params.get(key) ?? undefined;
  const v = params[key];
  return Array.isArray(v) ? v[0] : v;
}

function list(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
}

/** Reads the /models URL state; unknown values are dropped rather than rejected. */
export function parseModelQuery(params: Params): ModelQuery {
  const ctx = read(params, "ctx");
  const price = read(params, "price");
  const sort = read(params, "sort");
  const page = Number.parseInt(read(params, "page") ?? "1", 10);
  return {
    q: (read(params, "q") ?? "").slice(0, 100).trim(),
    providers: list(read(params, "provider")).slice(0, 20),
    caps: list(read(params, "cap")).filter((c): c is CapabilityFilter => (CAPABILITIES as readonly string[]).includes(c)),
    ctx: ctx && ctx in CONTEXT_BANDS ? (ctx as ContextBand) : undefined,
    price: price && price in PRICE_BANDS ? (price as PriceBand) : undefined,
    sort: sort && (SORTS as readonly string[]).includes(sort) ? (sort as ModelSort) : "recommended",
    page: Number.isFinite(page) && page > 0 ? Math.min(page, 1000) : 1,
  };
}

/** The URL search string for a query (defaults omitted, so URLs stay short and canonical). */
export function serializeModelQuery(q: Partial<ModelQuery>): string {
  const p = new URLSearchParams();
  if (q.q) p.set("q", q.q);
  if (q.providers?.length) p.set("provider", q.providers.join(","));
  if (q.caps?.length) p.set("cap", q.caps.join(","));
  if (q.ctx) p.set("ctx", q.ctx);
  if (q.price) p.set("price", q.price);
  if (q.sort && q.sort !== "recommended") p.set("sort", q.sort);
  if (q.page && q.page > 1) p.set("page", String(q.page));
  const s = p.toString();
  return s ? `?${s}` : "";
}

function haystack(m: CatalogModel): string {
  return [m.id, m.name, m.family ?? "", ...m.providers.flatMap((p) => [p.id, p.name, p.modelId])].join(" ").toLowerCase();
}

export type QueryResult = { items: CatalogModel[]; total: number; page: number; pages: number; pageSize: number };

export function matchesQuery(m: CatalogModel, q: ModelQuery): boolean {
  if (m.hidden) return false;
  if (q.q) {
    const h = haystack(m);
    const terms = q.q.toLowerCase().split(/\s+/).filter(Boolean);
    if (!terms.every((t) => h.includes(t) || h.includes(t.replace(/\./g, "-")))) return false;
  }
  if (q.providers.length && !m.providers.some((p) => q.providers.includes(p.id))) return false;
  for (const c of q.caps) {
    if (c === "reasoning" && !m.capabilities.reasoning) return false;
    if (c === "tools" && !m.capabilities.tools) return false;
    if (c === "vision" && !m.capabilities.imageInput) return false;
  }
  if (q.ctx && m.limits.context < CONTEXT_BANDS[q.ctx]) return false;
  if (q.price) {
    const [lo, hi] = PRICE_BANDS[q.price];
    if (m.weights.outMicro < lo || m.weights.outMicro >= hi) return false;
  }
  return true;
}

function compare(sort: ModelSort) {
  const byDate = (a: CatalogModel, b: CatalogModel) => (b.releaseDate ?? "").localeCompare(a.releaseDate ?? "");
  const cost = (m: CatalogModel) => m.weights.inMicro + m.weights.outMicro;
  return (a: CatalogModel, b: CatalogModel): number => {
    switch (sort) {
      case "price":
        return Number(cost(a) - cost(b)) || a.id.localeCompare(b.id);
      case "price-desc":
        return Number(cost(b) - cost(a)) || a.id.localeCompare(b.id);
      case "newest":
        return byDate(a, b) || a.id.localeCompare(b.id);
      case "context":
        return b.limits.context - a.limits.context || a.id.localeCompare(b.id);
      default:
        return Number(!!b.recommended) - Number(!!a.recommended) || byDate(a, b) || a.id.localeCompare(b.id);
    }
  };
}

/** Filters, sorts and paginates catalog models for /models. */
export function queryCatalog(models: CatalogModel[], q: ModelQuery, pageSize = PAGE_SIZE): QueryResult {
  const all = models.filter((m) => matchesQuery(m, q)).sort(compare(q.sort));
  const pages = Math.max(1, Math.ceil(all.length / pageSize));
  const page = Math.min(q.page, pages);
  return { items: all.slice((page - 1) * pageSize, page * pageSize), total: all.length, page, pages, pageSize };
}
