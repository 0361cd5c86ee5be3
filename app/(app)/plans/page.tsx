import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { CalendarClock, Gift, History, Package, Sparkles, TrendingUp, Users, Zap } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { getPlanSummary, PACKS, quotePlans, TIERS } from "@/lib/plans";
import { formatInt, formatMonthlyPrice, formatTokens, formatYuan, type Locale } from "@/lib/core/format";
import { Badge, Card, CardDescription, CardTitle, PageHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { PurchaseDialog } from "@/components/plans/purchase-dialog";
import { CancelPlanButton, DowngradeButton, UndoChangeButton } from "@/components/plans/plan-actions";
import { AllowanceBanner } from "@/components/plans/allowance-banner";
import { SafetyNetCard } from "@/components/plans/safety-net-card";
import { safetyNetCurrent } from "@/components/plans/safety-net-current";
import { economicalModels, economySwitchedSince, getSafetyNet } from "@/lib/plans/safety-net";
import { catalogOptions } from "@/lib/server/wiring";
import { formatDay } from "@/components/plans/dates";
import { cn } from "@/lib/cn";

export const dynamic = "force-dynamic";

export default async function PlansPage() {
  const user = await requireUser();
  const locale = (await getLocale()) as Locale;
  const t = await getTranslations("plans");
  const now = new Date();
  const db = await getDb();
  const s = await getPlanSummary(db, { userId: user.id, now });
  const quotes = new Map(quotePlans(s, now).map((q) => [q.tierId, q]));
  const net = s.walletId ? await getSafetyNet(db, { walletId: s.walletId, userId: user.id }) : null;
  const switchedSince = s.walletId ? await economySwitchedSince(db, { walletId: s.walletId, userId: user.id, now }) : null;
  const tok = (n: bigint) => formatTokens(n, locale);
  const percent = s.allowance.granted > 0n ? Number((s.allowance.used * 1000n) / s.allowance.granted) / 10 : 0;

  return (
    <div className="mx-auto w-full max-w-3xl px-4 py-5">
      <PageHeader title={t("title")} description={t("subtitle")} />
      <AllowanceBanner className="mb-4" />

      {/* Current plan */}
      <Card className="relative overflow-hidden bg-gradient-to-br from-brand-600 to-brand-800 text-white ring-0" data-testid="current-plan">
        <div className="pointer-events-none absolute -right-10 -top-10 size-40 rounded-full bg-white/10" />
        {s.tier ? (
          <div className="relative">
            <div className="flex items-start justify-between gap-3">
              <div>
                <p className="text-xs font-medium uppercase tracking-wide text-brand-100">{t("current")}</p>
                <p className="mt-1 flex items-center gap-2 text-lg font-semibold">
                  {s.tier.name[locale]}
                  <span className="text-sm font-normal text-brand-100">{formatMonthlyPrice(s.tier.priceFen, locale)}</span>
                  {s.tier.familyMembers > 0 ? (
                    <span className="inline-flex items-center gap-1 rounded-full bg-white/15 px-2 py-0.5 text-xs font-normal">
                      <Users className="size-3" />
                      {s.tier.familyMembers}
                    </span>
                  ) : null}
                </p>
              </div>
              {s.scheduled ? null : <CancelPlanButton endDate={formatDay(new Date(s.renewsAt ?? now), locale)} />}
            </div>
            <div className="mt-5">
              <p className="text-xs text-brand-100">{t("allowanceLeft")}</p>
              <p className="mt-0.5 flex items-baseline gap-2">
                <span className="text-3xl font-semibold tabular" data-testid="allowance-left">
                  {tok(s.allowance.left)}
                </span>
                <span className="text-sm text-brand-100">{t("allowanceOf", { total: tok(s.allowance.granted) })}</span>
              </p>
              <div className="mt-3 h-2 overflow-hidden rounded-full bg-white/20">
                <div
                  className={cn("h-full rounded-full", percent >= 100 ? "bg-red-300" : percent >= 80 ? "bg-amber-300" : "bg-white")}
                  style={{ width: `${Math.min(100, percent)}%` }}
                />
              </div>
              <div className="mt-2 flex flex-wrap items-center justify-between gap-2 text-xs text-brand-100">
                <span>{t("used", { percent: percent.toFixed(percent < 10 ? 1 : 0) })}</span>
                {s.renewsAt && !s.scheduled ? (
                  <span className="inline-flex items-center gap-1">
                    <CalendarClock className="size-3.5" />
                    {t("renewsOn", { date: formatDay(s.renewsAt, locale) })}
                  </span>
                ) : null}
              </div>
            </div>
            {s.forecast ? (
              <p className="mt-2 flex items-center gap-1.5 text-xs text-white" data-testid="plan-forecast">
                <TrendingUp className="size-3.5 shrink-0" />
                {s.forecast.kind === "runs_out"
                  ? t("forecastRunsOut", { date: formatDay(s.forecast.at, locale) })
                  : s.forecast.kind === "lasts"
                    ? t("forecastLasts")
                    : t("forecastSpent")}
                {s.forecast.kind !== "lasts" ? (
                  <Link prefetch={false} href="#packs" className="ml-1 font-medium underline underline-offset-2">
                    {t("buyPack")}
                  </Link>
                ) : null}
              </p>
            ) : null}
            {s.scheduled ? (
              <div className="mt-4 flex items-center justify-between gap-3 rounded-xl bg-white/10 px-3 py-2 text-sm" data-testid="scheduled-change">
                <span>
                  {s.scheduled.action === "cancel"
                    ? t("scheduledCancel", { date: formatDay(s.scheduled.effectiveAt, locale) })
                    : t("scheduledDowngrade", { tier: s.scheduled.tier?.name[locale] ?? "", date: formatDay(s.scheduled.effectiveAt, locale) })}
                </span>
                <UndoChangeButton />
              </div>
            ) : null}
          </div>
        ) : (
          <div className="relative">
            <p className="flex items-center gap-2 text-lg font-semibold">
              <Sparkles className="size-5" />
              {t("noPlan")}
            </p>
            <p className="mt-1 text-sm text-brand-100">{t("noPlanHint")}</p>
          </div>
        )}
        {s.trial || s.packs.length || s.carryover ? (
          <div className="relative mt-4 grid gap-2 border-t border-white/15 pt-3 text-sm sm:grid-cols-2">
            {s.carryover ? (
              <p className="flex items-center gap-2" data-testid="carryover">
                <History className="size-4 shrink-0 text-brand-100" />
                <span className="shrink-0 whitespace-nowrap font-medium">{t("carryover")}</span>
                <span className="min-w-0 text-brand-100">
                  {t("carryoverLeft", { left: tok(s.carryover.left), date: formatDay(s.carryover.expiresAt, locale) })}
                </span>
              </p>
            ) : null}
            {s.trial ? (
              <p className="flex items-center gap-2">
                <Gift className="size-4 text-brand-100" />
                <span className="font-medium">{t("trial")}</span>
                <span className="text-brand-100">{t("trialLeft", { left: tok(s.trial.left), date: formatDay(s.trial.expiresAt, locale) })}</span>
              </p>
            ) : null}
            {s.packs.map((p) => (
              <p key={p.id} className="flex items-center gap-2" data-testid="my-pack">
                <Package className="size-4 text-brand-100" />
                <span className="font-medium">{t("packLeft", { left: tok(p.left) })}</span>
                <span className="text-brand-100">{t("packValid", { date: formatDay(p.expiresAt, locale) })}</span>
              </p>
            ))}
          </div>
        ) : null}
      </Card>

      {s.tier && s.walletId ? (
        <div className="mt-4">
          <SafetyNetCard
            current={safetyNetCurrent(net)}
            packs={PACKS.map((p) => ({ id: p.id, label: `${p.name[locale]} · ${formatYuan(p.priceFen)}` }))}
            economyModels={economicalModels(catalogOptions()).map((m) => ({ id: m.id, label: m.name }))}
            switchedSince={switchedSince ? formatDay(switchedSince, locale) : null}
          />
        </div>
      ) : null}

      {/* Tiers */}
      <h2 className="mb-3 mt-7 text-base font-semibold text-slate-900">{t("tiersTitle")}</h2>
      <div className="grid gap-3 sm:grid-cols-2">
        {TIERS.map((tier) => {
          const q = quotes.get(tier.id)!;
          const isCurrent = q.kind === "current";
          const name = tier.name[locale];
          return (
            <Card
              key={tier.id}
              className={cn("flex flex-col gap-3", isCurrent && "ring-2 ring-brand-500", tier.highlight && !isCurrent && "ring-brand-200")}
              data-testid={`tier-${tier.id}`}
            >
              <div className="flex items-start justify-between gap-2">
                <div>
                  <CardTitle className="flex items-center gap-2">
                    {name}
                    {isCurrent ? <Badge tone="brand">{t("currentBadge")}</Badge> : tier.highlight ? <Badge tone="amber">{t("recommended")}</Badge> : null}
                  </CardTitle>
                  <CardDescription className="mt-1 flex items-center gap-1">
                    <Zap className="size-3.5 text-brand-500" />
                    {t("perMonth", { tokens: tok(tier.tokens) })}
                  </CardDescription>
                  {tier.familyMembers > 0 ? (
                    <p className="mt-1 flex items-center gap-1 text-xs text-emerald-700">
                      <Users className="size-3.5" />
                      {t("family", { n: tier.familyMembers })}
                    </p>
                  ) : null}
                </div>
                <p className="text-right">
                  <span className="text-xl font-semibold tabular text-slate-900">{formatMonthlyPrice(tier.priceFen, locale).replace(/\/.*/, "")}</span>
                  <span className="text-xs text-slate-500">{locale === "zh-CN" ? "/月" : "/mo"}</span>
                </p>
              </div>
              {q.kind === "upgrade" ? (
                <p className="text-xs text-slate-500">
                  {t("upgradeQuote", { price: formatYuan(q.priceFen), tokens: tok(q.tokens), remaining: q.remaining, days: q.days })}
                </p>
              ) : null}
              {q.kind === "subscribe" && q.remaining < q.days ? (
                <p className="text-xs text-slate-500" data-testid={`first-month-${tier.id}`}>
                  {t("firstMonthQuote", { price: formatYuan(q.priceFen), tokens: tok(q.tokens), remaining: q.remaining, days: q.days })}
                </p>
              ) : null}
              {q.kind === "downgrade" ? <p className="text-xs text-slate-500">{t("downgradeQuote", { date: formatDay(q.effectiveAt, locale) })}</p> : null}
              <div className="mt-auto">
                {q.kind === "subscribe" || q.kind === "upgrade" ? (
                  <PurchaseDialog
                    kind="plan"
                    itemId={tier.id}
                    phone={user.phone}
                    title={`${q.kind === "upgrade" ? t("upgrade") : t("subscribe")} · ${name}`}
                    detail={
                      q.kind === "upgrade"
                        ? t("upgradeQuote", { price: formatYuan(q.priceFen), tokens: tok(q.tokens), remaining: q.remaining, days: q.days })
                        : t("perMonth", { tokens: tok(tier.tokens) })
                    }
                    priceFen={q.priceFen.toString()}
                    lines={
                      q.kind === "subscribe" && q.remaining < q.days
                        ? [
                            {
                              label: t("sheetThisMonth", { remaining: q.remaining, days: q.days }),
                              value: t("sheetAmount", { price: formatYuan(q.priceFen), tokens: formatInt(q.tokens, locale) }),
                              testId: "sheet-this-month",
                            },
                            {
                              label: t("sheetFromNext"),
                              value: t("sheetAmount", { price: formatYuan(q.fullPriceFen), tokens: formatInt(q.fullTokens, locale) }),
                              testId: "sheet-from-next",
                            },
                          ]
                        : undefined
                    }
                    note={q.kind === "upgrade" || q.remaining < q.days ? t("roundingNote") : undefined}
                    trigger={
                      <Button className="w-full" variant={q.kind === "upgrade" || tier.highlight ? "primary" : "secondary"}>
                        {q.kind === "upgrade" ? t("upgrade") : t("subscribe")}
                      </Button>
                    }
                  />
                ) : q.kind === "downgrade" ? (
                  <DowngradeButton tierId={tier.id} tierName={name} date={formatDay(q.effectiveAt, locale)} />
                ) : (
                  <Button className="w-full" variant="secondary" disabled>
                    {t("currentBadge")}
                  </Button>
                )}
              </div>
            </Card>
          );
        })}
      </div>

      {/* Packs */}
      <h2 id="packs" className="mb-1 mt-7 scroll-mt-20 text-base font-semibold text-slate-900">
        {t("packsTitle")}
      </h2>
      <p className="mb-3 text-sm text-slate-500">{t("packsHint")}</p>
      <div className="grid grid-cols-3 gap-2 sm:gap-3">
        {PACKS.map((p) => (
          <Card key={p.id} className="flex flex-col items-center gap-1 p-3 text-center sm:p-4" data-testid={`pack-${p.id}`}>
            <Package className="size-5 text-brand-500" />
            <p className="text-base font-semibold tabular text-slate-900">{tok(p.tokens)}</p>
            <p className="text-xs text-slate-500">tokens</p>
            <PurchaseDialog
              kind="pack"
              itemId={p.id}
              phone={user.phone}
              title={p.name[locale]}
              detail={t("packsHint")}
              priceFen={p.priceFen.toString()}
              trigger={
                <Button size="sm" variant="secondary" className="mt-2 w-full">
                  {formatYuan(p.priceFen)}
                </Button>
              }
            />
          </Card>
        ))}
      </div>
      <p className="mt-6 text-center text-sm">
        <Link prefetch={false} href="/bills" className="text-brand-600 hover:underline">
          {t("viewBills")} →
        </Link>
      </p>
    </div>
  );
}
