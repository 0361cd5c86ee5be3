import { listedModels, resolveRoute, type CatalogOptions, type RouteOptions } from "@/lib/catalog";

/** What the model picker shows: weights as plan tokens per token, live or demo (演示). */
export type ChatModel = {
  id: string;
  name: string;
  family: string | null;
  inMicro: string;
  outMicro: string;
  context: number;
  route: "live" | "demo";
  recommended: boolean;
  /** Takes image input (the picker marks it; images for other models are refused). */
  vision: boolean;
};

/** Callable models for the picker, recommended first, then by name. */
export function chatModelList(options: Omit<RouteOptions, "preferProvider"> & { catalog?: CatalogOptions }): ChatModel[] {
  const out: ChatModel[] = [];
  for (const m of listedModels(options.catalog)) {
    const r = resolveRoute(m, options);
    if (!r) continue;
    out.push({
      id: m.id,
      name: m.name,
      family: m.family ?? null,
      inMicro: m.weights.inMicro.toString(),
      outMicro: m.weights.outMicro.toString(),
      context: m.limits.context,
      route: r.kind,
      recommended: !!m.recommended,
      vision: m.capabilities.imageInput,
    });
  }
  return out.sort((a, b) => Number(b.recommended) - Number(a.recommended) || a.name.localeCompare(b.name));
}
