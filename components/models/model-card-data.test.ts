import { describe, expect, it } from "vitest";
import { getCatalog } from "@/lib/catalog";
import { toModelCard } from "./model-card-data";
import { formatContext, formatPer1K } from "./format";

describe("model card data", () => {
  const models = getCatalog().models.filter((m) => !m.hidden);
  const many = models.find((m) => m.providers.length > 3)!;

  it("carries what the card shows, formatted, and the count of providers past three", () => {
    const card = toModelCard(many, "demo");
    expect(card).toEqual({
      id: many.id,
      name: many.name,
      recommended: Boolean(many.recommended),
      availability: "demo",
      providers: many.providers.slice(0, 3).map((p) => p.name),
      moreProviders: many.providers.length - 3,
      weightIn: formatPer1K(many.weights.inMicro),
      weightOut: formatPer1K(many.weights.outMicro),
      context: formatContext(many.limits.context),
      capabilities: { reasoning: many.capabilities.reasoning, tools: many.capabilities.tools, imageInput: many.capabilities.imageInput },
    });
  });

  it("stays small: a page of 24 cards sends a few KB, never the catalog entries", () => {
    const page = models.slice(0, 24).map((m) => toModelCard(m, "live"));
    const bytes = JSON.stringify(page).length;
    expect(bytes).toBeLessThan(24 * 400);
    expect(bytes * 3).toBeLessThan(JSON.stringify(models.slice(0, 24), (_, v) => (typeof v === "bigint" ? String(v) : v)).length);
  });
});
