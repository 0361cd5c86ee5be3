import { Brain, Eye, Star, Wrench } from "lucide-react";
import type { Availability, ModelCapabilities } from "@/lib/catalog";

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
  demo: string;
  demoHint: string;
  unavailable: string;
  per1kIn: string;
  per1kOut: string;
  context: string;
  reasoning: string;
  tools: string;
  vision: string;
};

const BADGE = "inline-flex shrink-0 items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium";

/**
 * One model in the /models list: a plain link (the list gives it client-side navigation) with no
 * hooks of its own, so a page of cards hydrates as markup. Fixed height so pages and filters
 * never shift the layout.
 */
export function ModelCard({ card, labels }: { card: ModelCardData; labels: ModelCardLabels }) {
  const { reasoning, tools, imageInput } = card.capabilities;
  const caps = [
    reasoning && { key: "reasoning", label: labels.reasoning, Icon: Brain },
    tools && { key: "tools", label: labels.tools, Icon: Wrench },
    imageInput && { key: "vision", label: labels.vision, Icon: Eye },
  ].filter(Boolean) as { key: string; label: string; Icon: typeof Brain }[];
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
            <span className={`${BADGE} bg-brand-50 text-brand-700`}>
              <Star className="size-3" aria-hidden />
              {labels.recommended}
            </span>
          ) : null}
          {card.availability === "demo" ? (
            <span className={`${BADGE} ml-auto bg-amber-50 text-amber-700`} title={labels.demoHint} data-testid="badge-demo">
              {labels.demo}
            </span>
          ) : card.availability === "unavailable" ? (
            <span className={`${BADGE} ml-auto bg-slate-100 text-slate-700`}>{labels.unavailable}</span>
          ) : null}
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
        {caps.length > 0 ? (
          <span className="inline-flex items-center gap-1.5 text-slate-500">
            {caps.map(({ key, label, Icon }) => (
              <span key={key} className="inline-flex items-center gap-1" title={label} data-capability={key}>
                <Icon className="size-3.5" aria-label={label} />
              </span>
            ))}
          </span>
        ) : null}
      </div>
    </a>
  );
}
