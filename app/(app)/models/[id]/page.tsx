import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { ChevronLeft, MessageSquare, Star } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { catalogOptions, routeOptions } from "@/lib/server/wiring";
import { getDb } from "@/lib/server/db";
import { getBalance } from "@/lib/ledger";
import { resolvePayingWallet } from "@/lib/ledger";
import { availabilityOf, getCatalog, liveRoute, type CatalogModel } from "@/lib/catalog";
import { formatInt, type Locale } from "@/lib/core/format";
import { Badge, Card, CardTitle } from "@/components/ui/card";
import { buttonVariants } from "@/components/ui/button";
import { AvailabilityBadge } from "@/components/models/availability-badge";
import { CapabilityIcons, capabilityLabels } from "@/components/models/capability-icons";
import { DEFAULT_ALLOWANCE, PlanBuys } from "@/components/models/plan-buys";
import { formatContext, formatPer1K, formatUsd } from "@/components/models/format";

export const dynamic = "force-dynamic";

type Props = { params: Promise<{ id: string }>; searchParams: Promise<Record<string, string | string[] | undefined>> };

function findModel(id: string): CatalogModel | undefined {
  const m = getCatalog(catalogOptions()).models.find((x) => x.id === id);
  return m && !m.hidden ? m : undefined;
}

export async function generateMetadata({ params }: Props) {
  const m = findModel((await params).id);
  return { title: m?.name ?? "404" };
}

/** The user's plan tokens to size "≈ N replies": ?allowance=, else their balance, else a 15M tier. */
async function allowanceFor(userId: string, param: string | undefined): Promise<{ allowance: bigint; basis: "balance" | "default" }> {
  if (param && /^\d{1,15}$/.test(param) && param !== "0") return { allowance: BigInt(param), basis: "default" };
  try {
    const db = await getDb();
    const now = new Date();
    const w = await resolvePayingWallet(db, { userId, now });
    const b = await getBalance(db, { walletId: w.walletId, now });
    if (b.available > 0n) return { allowance: b.available, basis: "balance" };
  } catch (err) {
    console.error("[models] balance lookup failed", err);
  }
  return { allowance: DEFAULT_ALLOWANCE, basis: "default" };
}

export default async function ModelPage({ params, searchParams }: Props) {
  const user = await requireUser();
  const { id } = await params;
  const model = findModel(id);
  if (!model) notFound();
  const t = await getTranslations("models");
  const locale = (await getLocale()) as Locale;
  const sp = await searchParams;
  const { allowance, basis } = await allowanceFor(user.id, typeof sp.allowance === "string" ? sp.allowance : undefined);
  const catalog = getCatalog(catalogOptions());
  const routes = routeOptions();
  const availability = availabilityOf(model, routes);
  const cny = catalog.referencePrice.cnyPerUsd;
  const src = model.listPrice.source;
  const sourceName = (pid: string) => model.providers.find((p) => p.id === pid)?.name ?? pid;
  const priceNote =
    src === "unpriced"
      ? t("detail.priceUnpriced")
      : src === "free"
        ? t("detail.priceFree")
        : src.startsWith("median:")
          ? t("detail.priceMedian", { source: sourceName(src.slice(7)) })
          : t("detail.priceSource", { source: sourceName(src) });

  const weightRows = [
    { key: "input", w: model.weights.inMicro },
    { key: "output", w: model.weights.outMicro },
    ...(model.weights.cachedInMicro !== undefined ? [{ key: "cachedInput", w: model.weights.cachedInMicro }] : []),
  ] as const;

  return (
    <div className="mx-auto w-full max-w-4xl px-4 py-5" data-testid="model-detail" data-model-id={model.id}>
      <Link prefetch={false} href="/models" className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800">
        <ChevronLeft className="size-4" />
        {t("detail.back")}
      </Link>
      <div className="mb-4 flex flex-wrap items-start justify-between gap-3">
        <div className="min-w-0">
          <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold tracking-tight text-slate-900 sm:text-2xl">
            <span className="break-words">{model.name}</span>
            {model.recommended ? (
              <Badge tone="brand">
                <Star className="size-3" aria-hidden />
                {t("recommended")}
              </Badge>
            ) : null}
            <AvailabilityBadge
              availability={availability}
              labels={{ demo: t("demo"), demoHint: t("demoHint"), unavailable: t("unavailable"), live: t("live") }}
            />
          </h1>
          <p className="mt-1 break-all font-mono text-xs text-slate-500">{model.id}</p>
        </div>
        {availability !== "unavailable" ? (
          <Link
            prefetch={false}
            href={`/chat?model=${encodeURIComponent(model.id)}`}
            className={buttonVariants({ variant: "primary" })}
            data-testid="start-chat"
          >
            <MessageSquare />
            {t("detail.startChat")}
          </Link>
        ) : null}
      </div>

      {availability === "demo" ? <p className="mb-4 rounded-xl bg-amber-50 px-3 py-2 text-sm text-amber-800 ring-1 ring-amber-100">{t("demoHint")}</p> : null}

      <div className="grid gap-3 md:grid-cols-2">
        <Card data-testid="model-weights">
          <CardTitle>{t("detail.weights")}</CardTitle>
          <p className="mt-0.5 text-xs text-slate-500">
            {t("detail.per1k")} · {t("detail.planTokens")}
          </p>
          <dl className="mt-3 grid grid-cols-3 gap-2">
            {weightRows.map(({ key, w }) => (
              <div key={key} className="rounded-xl bg-slate-50 px-3 py-2">
                <dt className="text-xs text-slate-500">{t(`detail.${key}`)}</dt>
                <dd className="tabular text-lg font-semibold text-slate-900" data-testid={`per1k-${key}`}>
                  {formatPer1K(w)}
                </dd>
              </div>
            ))}
          </dl>
          <p className="mt-3 text-xs text-slate-500">
            {priceNote} · {t("detail.reference", { price: catalog.referencePrice.usdPerM.toFixed(2) })}
            {model.floored ? ` · ${t("detail.floored")}` : ""}
            {model.weightsOverridden ? ` · ${t("detail.overridden")}` : ""}
          </p>
        </Card>
        <PlanBuys allowance={allowance} basis={basis} outMicro={model.weights.outMicro} />
      </div>

      <Card className="mt-3">
        <CardTitle>{t("detail.specs")}</CardTitle>
        <dl className="mt-3 grid grid-cols-2 gap-x-4 gap-y-3 text-sm sm:grid-cols-3">
          <Spec
            label={t("detail.contextWindow")}
            value={model.limits.context ? `${formatContext(model.limits.context)} · ${formatInt(model.limits.context, locale)}` : t("detail.none")}
            testId="spec-context"
          />
          <Spec label={t("detail.maxOutput")} value={model.limits.output ? formatInt(model.limits.output, locale) : t("detail.none")} />
          <Spec label={t("detail.releaseDate")} value={model.releaseDate ?? t("detail.none")} />
          <Spec label={t("detail.knowledge")} value={model.knowledge ?? t("detail.none")} />
          <Spec label={t("detail.family")} value={model.family ?? t("detail.none")} />
          <div>
            <dt className="text-xs text-slate-500">{t("detail.capabilities")}</dt>
            <dd className="mt-0.5">
              <CapabilityIcons capabilities={model.capabilities} labels={capabilityLabels(t)} withLabels />
              {!model.capabilities.reasoning && !model.capabilities.tools && !model.capabilities.imageInput ? t("detail.none") : null}
            </dd>
          </div>
        </dl>
      </Card>

      <Card className="mt-3">
        <CardTitle>{t("detail.providers")}</CardTitle>
        <p className="mt-0.5 text-xs text-slate-500">{t("detail.listPrice")}</p>
        <ul className="mt-3 divide-y divide-slate-100" data-testid="provider-list">
          {model.providers.map((p) => {
            const live = liveRoute(model, p, routes) !== null;
            const free = p.inputUsdPerM === 0 && p.outputUsdPerM === 0;
            return (
              <li key={p.id} className="flex flex-wrap items-center justify-between gap-x-3 gap-y-1 py-2.5" data-testid="provider-row" data-provider-id={p.id}>
                <div className="min-w-0">
                  <p className="flex items-center gap-2 text-sm font-medium text-slate-900">
                    {p.name}
                    {live ? <Badge tone="green">{t("live")}</Badge> : !p.callable ? <Badge tone="slate">{t("detail.notCallable")}</Badge> : null}
                  </p>
                  <p className="truncate font-mono text-xs text-slate-500" title={t("detail.providerModelId")}>
                    {p.modelId}
                  </p>
                </div>
                <p className="tabular text-right text-sm text-slate-700">
                  {free ? (
                    t("detail.free")
                  ) : (
                    <>
                      {t("detail.listPriceIn")} {formatUsd(p.inputUsdPerM)} · {t("detail.listPriceOut")} {formatUsd(p.outputUsdPerM)}
                      <span className="block text-xs text-slate-500">
                        ≈ ¥{(p.inputUsdPerM * cny).toFixed(2)} / ¥{(p.outputUsdPerM * cny).toFixed(2)}
                      </span>
                    </>
                  )}
                </p>
              </li>
            );
          })}
        </ul>
      </Card>
    </div>
  );
}

function Spec({ label, value, testId }: { label: string; value: string; testId?: string }) {
  return (
    <div>
      <dt className="text-xs text-slate-500">{label}</dt>
      <dd className="tabular mt-0.5 text-slate-900" data-testid={testId}>
        {value}
      </dd>
    </div>
  );
}
