import { Star } from "lucide-react";
import type { Availability, ModelCapabilities } from "@/lib/catalog";
import { Badge } from "@/components/ui/card";
import { AvailabilityBadge, type AvailabilityLabels } from "./availability-badge";
import { CapabilityIcons, type CapabilityLabels } from "./capability-icons";

/**
 * What a card shows, formatted on the server: a page of 24 sends these few fields, where a
 * server-rendered card would send its whole markup (class names, icon paths) once per card.
 */
export type ModelCardData = {
  id: string;
  name: string;
  recommended: boolean;
  availability: Availability;
  /** The first three providers' names. */
  providers: string[];
  moreProviders: number;
  weightIn: string;
  weightOut: string;
  context: string;
  capabilities: Pick<ModelCapabilities, "reasoning" | "tools" | "imageInput">;
};

/** The words every card shows, translated once for the whole list. */
export type ModelCardLabels = {
  recommended: string;
  per1kIn: string;
  per1kOut: string;
  context: string;
  availability: AvailabilityLabels;
  capabilities: CapabilityLabels;
};

/**
 * One model in the /models list: a plain link (the list gives it client-side navigation) with no
 * hooks of its own, so a page of cards hydrates as markup. Fixed height so pages and filters
 * never shift the layout.
 */
export function ModelCard({ card, labels }: { card: ModelCardData; labels: ModelCardLabels }) {
  return (
    <a
      href={`/models/${card.id}`}
      className="group flex h-[8.5rem] flex-col justify-between rounded-2xl bg-white p-3.5 shadow-sm ring-1 ring-slate-200/70 transition hover:ring-brand-300 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
      data-testid="model-card"
      data-model-id={card.id}
    >
      <div className="min-w-0">
        <div className="flex items-center gap-1.5">
          <h2 className="truncate font-medium text-slate-900 group-hover:text-brand-700">{card.name}</h2>
          {card.recommended ? (
            <Badge tone="brand" className="shrink-0">
              <Star className="size-3" aria-hidden />
              {labels.recommended}
            </Badge>
          ) : null}
          <AvailabilityBadge availability={card.availability} labels={labels.availability} className="ml-auto shrink-0" />
        </div>
        <p className="mt-0.5 truncate text-xs text-slate-500">
          <span className="font-mono">{card.id}</span>
          <span aria-hidden> · </span>
          {card.providers.join(" · ")}
          {card.moreProviders > 0 ? ` +${card.moreProviders}` : ""}
        </p>
      </div>
      <div className="flex items-end justify-between gap-2">
        <dl className="flex gap-4 text-sm">
          <div>
            <dt className="text-xs text-slate-500">{labels.per1kIn}</dt>
            <dd className="tabular font-semibold text-slate-900" data-testid="weight-in">
              {card.weightIn}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">{labels.per1kOut}</dt>
            <dd className="tabular font-semibold text-slate-900" data-testid="weight-out">
              {card.weightOut}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">{labels.context}</dt>
            <dd className="tabular font-medium text-slate-700">{card.context}</dd>
          </div>
        </dl>
        <CapabilityIcons capabilities={card.capabilities} labels={labels.capabilities} />
      </div>
    </a>
  );
}
