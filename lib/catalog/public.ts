import type { CatalogModel } from "./types";

/** The JSON shape of one model in GET /api/models (bigints as integers: they stay < 2^53). */
export type PublicModel = ReturnType<typeof toPublicModel>;

export function toPublicModel(m: CatalogModel, extra?: { availability?: "live" | "demo" | "unavailable" }) {
  return {
    id: m.id,
    name: m.name,
    family: m.family ?? null,
    providers: m.providers.map((p) => ({
      id: p.id,
      name: p.name,
      modelId: p.modelId,
      inputUsdPerM: p.inputUsdPerM,
      outputUsdPerM: p.outputUsdPerM,
      cachedInputUsdPerM: p.cachedInputUsdPerM ?? null,
      callable: p.callable,
    })),
    listPrice: m.listPrice,
    weights: {
      inMicro: Number(m.weights.inMicro),
      outMicro: Number(m.weights.outMicro),
      cachedInMicro: m.weights.cachedInMicro !== undefined ? Number(m.weights.cachedInMicro) : null,
      inPer1K: Number(m.weights.inMicro) / 1000,
      outPer1K: Number(m.weights.outMicro) / 1000,
    },
    limits: m.limits,
    capabilities: m.capabilities,
    releaseDate: m.releaseDate ?? null,
    recommended: !!m.recommended,
    ...(extra ?? {}),
  };
}
