"use client";
import { useLocale, useTranslations } from "next-intl";
import { formatTokens, type Locale } from "@/lib/core/format";
import type { UsageBreakdownView } from "@/app/actions/family";
import { Skeleton } from "@/components/ui/card";

/** Totals by day (a bar per day of the month) and by model. Never any message text. */
export function UsageBreakdown({ usage, cycle, loading }: { usage: UsageBreakdownView | undefined; cycle: string; loading?: boolean }) {
  const t = useTranslations("family.usage");
  const locale = useLocale() as Locale;
  if (loading || !usage) {
    return (
      <div className="space-y-3" aria-busy="true">
        <Skeleton className="h-24 w-full" />
        <Skeleton className="h-10 w-full" />
        <Skeleton className="h-10 w-full" />
      </div>
    );
  }
  const total = usage.byModel.reduce((s, m) => s + BigInt(m.planTokens), 0n);
  const requests = usage.byModel.reduce((s, m) => s + m.requests, 0);
  if (requests === 0) return <p className="rounded-xl bg-slate-50 px-3 py-6 text-center text-sm text-slate-500">{t("empty")}</p>;

  const [y, mo] = cycle.split("-").map(Number) as [number, number];
  const daysInMonth = new Date(Date.UTC(y, mo, 0)).getUTCDate();
  const byDay = new Map(usage.byDay.map((d) => [Number(d.day.slice(8, 10)), BigInt(d.planTokens)]));
  const lastDay = Math.max(...[...byDay.keys()], 1);
  const shown = Math.max(lastDay, Math.min(daysInMonth, 7));
  const max = [...byDay.values()].reduce((a, b) => (b > a ? b : a), 1n);
  return (
    <div className="space-y-5" data-testid="usage-breakdown">
      <div className="flex items-baseline justify-between">
        <span className="text-sm text-slate-500">{t("total")}</span>
        <span className="text-lg font-semibold tabular text-slate-900">
          {formatTokens(total, locale)} <span className="text-xs font-normal text-slate-500">tokens · {t("requests", { count: requests })}</span>
        </span>
      </div>
      <section>
        <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500">{t("byDay")}</h3>
        <div className="flex h-24 items-end gap-[3px]" role="img" aria-label={t("byDay")}>
          {Array.from({ length: shown }, (_, i) => i + 1).map((d) => {
            const v = byDay.get(d) ?? 0n;
            const pct = v === 0n ? 0 : Math.max(6, Number((v * 100n) / max));
            return (
              <div key={d} className="group relative flex h-full flex-1 items-end" title={`${mo}/${d} · ${formatTokens(v, locale)}`}>
                <div
                  className={v === 0n ? "h-[3px] w-full rounded-sm bg-slate-100" : "w-full rounded-sm bg-brand-500"}
                  style={v === 0n ? undefined : { height: `${pct}%` }}
                />
              </div>
            );
          })}
        </div>
        <div className="mt-1 flex justify-between text-[11px] text-slate-400 tabular">
          <span>{mo}/1</span>
          <span>
            {mo}/{shown}
          </span>
        </div>
      </section>
      <section>
        <h3 className="mb-2 text-xs font-medium uppercase tracking-wide text-slate-500">{t("byModel")}</h3>
        <ul className="space-y-2">
          {usage.byModel.map((m) => {
            const share = total === 0n ? 0 : Number((BigInt(m.planTokens) * 100n) / total);
            return (
              <li key={m.modelId} className="rounded-xl bg-slate-50 px-3 py-2" data-testid="usage-model">
                <div className="flex items-center justify-between gap-3 text-sm">
                  <span className="truncate font-medium text-slate-800">{m.modelName}</span>
                  <span className="shrink-0 tabular text-slate-700">{formatTokens(BigInt(m.planTokens), locale)}</span>
                </div>
                <div className="mt-1.5 flex items-center gap-2">
                  <div className="h-1.5 flex-1 overflow-hidden rounded-full bg-slate-200">
                    <div className="h-full rounded-full bg-brand-500" style={{ width: `${Math.max(share, 2)}%` }} />
                  </div>
                  <span className="shrink-0 text-xs text-slate-500">{t("requests", { count: m.requests })}</span>
                </div>
              </li>
            );
          })}
        </ul>
      </section>
    </div>
  );
}
