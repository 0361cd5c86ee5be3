"use client";
import Link from "next/link";
import { useTranslations } from "next-intl";
import { Star } from "lucide-react";
import type { Availability, ModelCapabilities } from "@/lib/catalog";
import { Badge } from "@/components/ui/card";
import { AvailabilityBadge } from "./availability-badge";
import { CapabilityIcons } from "./capability-icons";

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

/** One model in the /models list. Fixed height so pages and filters never shift the layout. */
export function ModelCard({ card }: { card: ModelCardData }) {
  const t = useTranslations("models");
  return (
    <Link
      href={`/models/${card.id}`}
      // A page of cards would prefetch each dynamic model page on load; fetch on tap instead.
      prefetch={false}
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
              {t("recommended")}
            </Badge>
          ) : null}
          <span className="ml-auto shrink-0">
            <AvailabilityBadge availability={card.availability} />
          </span>
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
            <dt className="text-xs text-slate-500">{t("per1kIn")}</dt>
            <dd className="tabular font-semibold text-slate-900" data-testid="weight-in">
              {card.weightIn}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">{t("per1kOut")}</dt>
            <dd className="tabular font-semibold text-slate-900" data-testid="weight-out">
              {card.weightOut}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">{t("context")}</dt>
            <dd className="tabular font-medium text-slate-700">{card.context}</dd>
          </div>
        </dl>
        <CapabilityIcons capabilities={card.capabilities} />
      </div>
    </Link>
  );
}
