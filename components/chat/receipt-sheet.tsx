"use client";
import type { ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Badge } from "@/components/ui/card";
import { getMyReceipt, type ReceiptView } from "@/app/actions/receipt";
import { DisputeSection } from "./dispute";
import { formatInt, formatMonthlyPrice, formatTokens, formatYuan, type Locale } from "@/lib/core/format";

/** A weight in micro-units as a plain decimal: 270000 -> "0.27". */
export function formatWeight(micro: string): string {
  const m = BigInt(micro);
  const frac = (m % 1_000_000n).toString().padStart(6, "0").replace(/0+$/, "");
  return frac ? `${m / 1_000_000n}.${frac}` : `${m / 1_000_000n}`;
}

/** A value in 0.0001 yuan: 11n -> "¥0.0011". */
export function formatValueE4(e4: string): string {
  const v = BigInt(e4);
  return `¥${(v / 10_000n).toLocaleString("en-US")}.${(v % 10_000n).toString().padStart(4, "0")}`;
}

export function receiptQueryKey(messageId: string) {
  return ["receipt", messageId] as const;
}

/** The receipt of one reply, in a sheet (loaded by `./receipt` when a cost line is first tapped). */
export function ReceiptDialog({ messageId, open, onOpenChange }: { messageId: string; open: boolean; onOpenChange: (o: boolean) => void }) {
  const t = useTranslations("spend.receipt");
  const { data, isError } = useQuery({
    queryKey: receiptQueryKey(messageId),
    queryFn: async (): Promise<ReceiptView> => {
      const r = await getMyReceipt({ messageId });
      if (!r.ok) throw new Error(r.code);
      return r.receipt;
    },
  });
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title={t("title")} description={data ? t("when", { date: new Date(data.createdAt).toLocaleString() }) : undefined}>
        {data ? <ReceiptBody r={data} /> : isError ? <p className="text-sm text-slate-500">{t("unavailable")}</p> : <p className="text-sm text-slate-400">…</p>}
      </DialogContent>
    </Dialog>
  );
}

function Row({ label, value, hint, testId }: { label: string; value: ReactNode; hint?: ReactNode; testId?: string }) {
  return (
    <div className="flex items-start justify-between gap-4 py-2">
      <dt className="text-sm text-slate-500">{label}</dt>
      <dd className="text-right text-sm text-slate-900 tabular" data-testid={testId}>
        {value}
        {hint ? <div className="text-xs text-slate-400">{hint}</div> : null}
      </dd>
    </div>
  );
}

const ATTEMPT_OUTCOMES = new Set(["ok", "timeout", "cooling_down", "deadline"]);

/** The routes a failed-over reply tried, in order: the provider, how the try ended, how long it took. */
function RouteAttempts({ attempts }: { attempts: NonNullable<ReceiptView["routeAttempts"]> }) {
  const t = useTranslations("spend.receipt");
  return (
    <ol className="space-y-0.5">
      {attempts.map((a, i) => (
        <li key={i} className={a.outcome === "ok" ? "text-slate-900" : "text-slate-500"}>
          {a.provider === "demo" ? t("demoRoute") : a.provider} · {t(`attempt.${ATTEMPT_OUTCOMES.has(a.outcome) ? a.outcome : "failed"}`)}
          {a.status ? ` (${a.status})` : ""}
          {a.ms > 0 ? ` · ${a.ms} ms` : ""}
        </li>
      ))}
    </ol>
  );
}

function ReceiptBody({ r }: { r: ReceiptView }) {
  const t = useTranslations("spend.receipt");
  const locale = useLocale() as Locale;
  const n = (x: number | null) => (x === null ? t("notReported") : formatInt(x, locale));
  const basisName = r.basis.kind === "tier" ? t(`tier.${r.basis.id}`) : t("packBasis");
  return (
    <div data-testid="receipt" data-usage-id={r.usageId} data-plan-tokens={r.planTokens}>
      <div className="flex items-center justify-between gap-2 rounded-xl bg-slate-50 px-4 py-3 ring-1 ring-slate-200">
        <div>
          <p className="text-xs text-slate-500">{t("charged")}</p>
          <p className="text-2xl font-semibold text-slate-900 tabular" data-testid="receipt-plan-tokens">
            {formatInt(BigInt(r.planTokens), locale)} <span className="text-sm font-normal text-slate-500">tokens</span>
          </p>
        </div>
        <div className="text-right">
          <p className="text-xs text-slate-500">{t("value")}</p>
          <p className="text-lg font-medium text-slate-900 tabular" data-testid="receipt-value">
            {formatValueE4(r.valueE4)}
          </p>
        </div>
      </div>
      {r.refundedAt ? (
        <p className="mt-2">
          <Badge tone="green" data-testid="receipt-refunded">
            {t("refunded")}
          </Badge>
        </p>
      ) : null}
      <dl className="mt-2 divide-y divide-slate-100">
        <Row label={t("model")} value={r.modelName} />
        <Row label={t("route")} value={r.providerRoute === "demo" ? t("demoRoute") : r.providerRoute} />
        {r.routeAttempts && r.routeAttempts.length > 1 ? (
          <Row label={t("routesTried")} value={<RouteAttempts attempts={r.routeAttempts} />} testId="receipt-routes" />
        ) : null}
        <Row label={t("tokensIn")} value={formatInt(r.tokensIn, locale)} testId="receipt-in" />
        <Row label={t("tokensCached")} value={n(r.tokensCached)} testId="receipt-cached" />
        <Row label={t("tokensReasoning")} value={n(r.tokensReasoning)} testId="receipt-reasoning" />
        <Row label={t("tokensOut")} value={formatInt(r.tokensOut, locale)} testId="receipt-out" />
        <Row label={t("weights")} value={t("weightsValue", { in: formatWeight(r.weightInMicro), out: formatWeight(r.weightOutMicro) })} />
        <Row
          label={t("planTokens")}
          value={formatInt(BigInt(r.planTokens), locale)}
          hint={t("formula", {
            in: formatInt(r.tokensIn, locale),
            wIn: formatWeight(r.weightInMicro),
            out: formatInt(r.tokensOut, locale),
            wOut: formatWeight(r.weightOutMicro),
          })}
        />
        <Row label={t("source")} value={t(`usageSource.${r.usageSource}`)} />
      </dl>
      <p className="mt-2 text-xs leading-5 text-slate-500" data-testid="receipt-rounding">
        {t("valueHint", {
          basis: basisName,
          price: r.basis.kind === "tier" ? formatMonthlyPrice(BigInt(r.basis.priceFen), locale) : formatYuan(BigInt(r.basis.priceFen)),
          tokens: formatTokens(BigInt(r.basis.tokens), locale),
        })}
      </p>
      <DisputeSection usageId={r.usageId} refunded={r.refundedAt !== null} />
    </div>
  );
}
