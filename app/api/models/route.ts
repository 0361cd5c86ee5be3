import { catalogOptions, routeOptions } from "@/lib/server/wiring";
import { availabilityOf, getCatalog, toPublicModel } from "@/lib/catalog";

/**
 * GET /api/models — the public catalog: every listed model with its providers, plan-token
 * weights (× 1e6 and per 1K), limits and capabilities, plus the reference price they derive
 * from. No sign-in; cacheable (the catalog changes only with a deploy or the operator file).
 */
export function GET() {
  const catalog = getCatalog(catalogOptions());
  const routes = routeOptions();
  const data = catalog.models.filter((m) => !m.hidden).map((m) => toPublicModel(m, { availability: availabilityOf(m, routes) }));
  return Response.json(
    {
      object: "list",
      count: data.length,
      builtAt: catalog.builtAt,
      source: catalog.source,
      referencePrice: {
        usdPerM: catalog.referencePrice.usdPerM,
        floorMicro: Number(catalog.referencePrice.floorMicro),
        cnyPerUsd: catalog.referencePrice.cnyPerUsd,
        formula: "weightMicro = max(floorMicro, ceil(listPriceUsdPerM * 1e6 / usdPerM)); plan tokens = ceil(tokens * weightMicro / 1e6)",
      },
      providers: catalog.providers.map((p) => ({ id: p.id, name: p.name, callable: p.callable, modelCount: p.modelCount })),
      data,
    },
    { headers: { "cache-control": "public, max-age=300, s-maxage=3600, stale-while-revalidate=86400" } },
  );
}
