import type { Availability, CatalogModel } from "@/lib/catalog";
import type { ModelCardData } from "./model-card";
import { formatContext, formatPer1K } from "./format";

/** A catalog model as its card shows it. */
export function toModelCard(model: CatalogModel, availability: Availability): ModelCardData {
  const providers = model.providers.map((p) => p.name);
  const { reasoning, tools, imageInput } = model.capabilities;
  return {
    id: model.id,
    name: model.name,
    recommended: Boolean(model.recommended),
    availability,
    providers: providers.slice(0, 3),
    moreProviders: Math.max(0, providers.length - 3),
    weightIn: formatPer1K(model.weights.inMicro),
    weightOut: formatPer1K(model.weights.outMicro),
    context: formatContext(model.limits.context),
    capabilities: { reasoning, tools, imageInput },
  };
}
