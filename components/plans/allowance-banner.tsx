"use client";
import Link from "next/link";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Gauge, X } from "lucide-react";
import { dismissPlanAlert, getMyPlanAlerts, type AlertView } from "@/app/actions/plans";
import { cn } from "@/lib/cn";
import type { Locale } from "@/lib/core/format";
import { formatDay } from "./dates";

/** "按近 7 天用量，预计 12月23日 用完" (or that it lasts the month), for the banner and the plan page. */
export function forecastText(t: (key: string, values?: Record<string, string | number>) => string, f: AlertView["forecast"], locale: Locale): string {
  if (f.kind === "runs_out") return t("forecastRunsOut", { date: formatDay(f.at, locale) });
  return f.kind === "lasts" ? t("forecastLasts") : t("forecastSpent");
}

/**
 * The 50% / 80% / 100% allowance (or family cap) notice, with its forecast, as a slim banner. Drop it anywhere in the app (the chat page
 * puts it above the composer); it fetches its own data and hides when there is nothing to say.
 */
export function AllowanceBanner({ className, showWhenDismissed = false }: { className?: string; showWhenDismissed?: boolean }) {
  const t = useTranslations("plans");
  const qc = useQueryClient();
  const locale = useLocale() as Locale;
  const { data } = useQuery({
    queryKey: ["plan-alerts"],
    queryFn: async (): Promise<AlertView[]> => {
      const r = await getMyPlanAlerts(undefined);
      return r.ok ? r.alerts : [];
    },
    refetchInterval: 30_000,
  });
  const alert = data?.[0];
  if (!alert && !showWhenDismissed) return null;
  if (!alert) return null;
  const full = alert.threshold >= 100;
  const head = alert.member
    ? full
      ? t("memberAlert100")
      : t("memberAlertPercent", { percent: alert.threshold })
    : full
      ? t("alert100")
      : t("alertPercent", { percent: alert.threshold });
  return (
    <div
      role="status"
      data-testid="allowance-banner"
      className={cn(
        "flex items-start gap-3 rounded-xl px-3 py-2.5 text-sm ring-1",
        full ? "bg-red-50 text-red-800 ring-red-100" : "bg-amber-50 text-amber-900 ring-amber-100",
        className,
      )}
    >
      <Gauge className="mt-0.5 size-4 shrink-0" />
      <p className="flex-1">
        {head} {alert.forecast.kind !== "spent" ? <span data-testid="alert-forecast">{forecastText(t, alert.forecast, locale)}。</span> : null}
        <Link prefetch={false} href="/plans#packs" className="font-medium underline underline-offset-2">
          {t("buyPack")}
        </Link>
      </p>
      <button
        type="button"
        aria-label={t("dismiss")}
        className="rounded p-0.5 opacity-70 hover:opacity-100"
        onClick={async () => {
          await dismissPlanAlert({ alertId: alert.id });
          await qc.invalidateQueries({ queryKey: ["plan-alerts"] });
        }}
      >
        <X className="size-4" />
      </button>
    </div>
  );
}
