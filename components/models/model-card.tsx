import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { Star } from "lucide-react";
import type { Availability, CatalogModel } from "@/lib/catalog";
import type { Locale } from "@/lib/core/format";
import { Badge } from "@/components/ui/card";
import { AvailabilityBadge } from "./availability-badge";
import { CapabilityIcons } from "./capability-icons";
import { formatContext, formatPer1K } from "./format";

/** One model in the /models list. Fixed height so pages and filters never shift the layout. */
export function ModelCard({ model, availability }: { model: CatalogModel; availability: Availability }) {
  const t = useTranslations("models");
  const locale = useLocale() as Locale;
  const providers = model.providers.map((p) => p.name);
  return (
    <Link
      href={`/models/${model.id}`}
      // A page of cards would prefetch each dynamic model page on load; fetch on tap instead.
      prefetch={false}
      className="group flex h-[8.5rem] flex-col justify-between rounded-2xl bg-white p-3.5 shadow-sm ring-1 ring-slate-200/70 transition hover:ring-brand-300 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500"
      data-testid="model-card"
      data-model-id={model.id}
    >
      <div className="min-w-0">
        <div className="flex items-center gap-1.5">
          <h2 className="truncate font-medium text-slate-900 group-hover:text-brand-700">{model.name}</h2>
          {model.recommended ? (
            <Badge tone="brand" className="shrink-0">
              <Star className="size-3" aria-hidden />
              {t("recommended")}
            </Badge>
          ) : null}
          <span className="ml-auto shrink-0">
            <AvailabilityBadge availability={availability} />
          </span>
        </div>
        <p className="mt-0.5 truncate text-xs text-slate-500">
          <span className="font-mono">{model.id}</span>
          <span aria-hidden> · </span>
          {providers.slice(0, 3).join(" · ")}
          {providers.length > 3 ? ` +${providers.length - 3}` : ""}
        </p>
      </div>
      <div className="flex items-end justify-between gap-2">
        <dl className="flex gap-4 text-sm">
          <div>
            <dt className="text-xs text-slate-500">{t("per1kIn")}</dt>
            <dd className="tabular font-semibold text-slate-900" data-testid="weight-in">
              {formatPer1K(model.weights.inMicro, locale)}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">{t("per1kOut")}</dt>
            <dd className="tabular font-semibold text-slate-900" data-testid="weight-out">
              {formatPer1K(model.weights.outMicro, locale)}
            </dd>
          </div>
          <div>
            <dt className="text-xs text-slate-500">{t("context")}</dt>
            <dd className="tabular font-medium text-slate-700">{formatContext(model.limits.context)}</dd>
          </div>
        </dl>
        <CapabilityIcons capabilities={model.capabilities} />
      </div>
    </Link>
  );
}
