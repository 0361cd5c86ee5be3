"use client";
import { useEffect } from "react";
import Link from "next/link";
import { useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { formatBalance, formatInt, type Locale } from "@/lib/core/format";
import { cn } from "@/lib/cn";
import type { BucketView } from "@/app/actions/balance";
import { BALANCE_QUERY_KEY, useBalance } from "./use-balance";

const KIND_TONE: Record<BucketView["kind"], string> = {
  carryover: "bg-violet-50 text-violet-700 ring-violet-100",
  allowance: "bg-brand-50 text-brand-700 ring-brand-100",
  pack: "bg-emerald-50 text-emerald-700 ring-emerald-100",
  credit: "bg-amber-50 text-amber-700 ring-amber-100",
  trial: "bg-slate-100 text-slate-700 ring-slate-200",
};

function expiry(iso: string, locale: Locale): string {
  return new Intl.DateTimeFormat(locale === "zh-CN" ? "zh-CN" : "en-US", {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(iso));
}

/** The balance, exactly: available, held right now, and each bucket with what is left and when it expires. */
export function BalanceSheet({ open, onOpenChange }: { open: boolean; onOpenChange: (o: boolean) => void }) {
  const t = useTranslations("spend.balance");
  const queryClient = useQueryClient();
  const { data } = useBalance();
  // A reply's settle updates the totals in place; the buckets are read fresh when the sheet opens.
  useEffect(() => {
    if (open) void queryClient.invalidateQueries({ queryKey: BALANCE_QUERY_KEY });
  }, [open, queryClient]);
  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title={t("title")} description={data?.kind === "family" ? t("familyWallet") : t("personalWallet")}>
        <SheetBody onOpenChange={onOpenChange} />
      </DialogContent>
    </Dialog>
  );
}

/** The sheet's content: rendered only while it is open, not on every balance poll. */
function SheetBody({ onOpenChange }: { onOpenChange: (o: boolean) => void }) {
  const t = useTranslations("spend.balance");
  const locale = useLocale() as Locale;
  const { data } = useBalance();
  const buckets = data?.buckets ?? [];
  return (
    <div data-testid="balance-sheet">
      <div className="rounded-2xl bg-gradient-to-br from-brand-600 to-brand-800 p-4 text-white shadow-sm">
        <p className="text-xs text-white/75">{t("available")}</p>
        <p className="mt-0.5 text-3xl font-semibold tabular" data-testid="balance-available">
          {data ? formatBalance(BigInt(data.available), locale) : "—"}
        </p>
        <p className="mt-0.5 text-xs text-white/75 tabular">{data ? t("exact", { tokens: formatInt(BigInt(data.available), locale) }) : null}</p>
        <div className="mt-3 flex items-center justify-between border-t border-white/15 pt-2 text-sm">
          <span className="text-white/80">{t("held")}</span>
          <span className="tabular" data-testid="balance-held">
            {data ? formatInt(BigInt(data.held), locale) : "—"}
          </span>
        </div>
        <p className="mt-1 text-[11px] leading-4 text-white/60">{t("heldHint")}</p>
      </div>

      <h3 className="mt-4 text-sm font-semibold text-slate-900">{t("buckets")}</h3>
      <p className="text-xs text-slate-500">{t("order")}</p>
      {buckets.length === 0 ? (
        <p className="mt-3 rounded-xl bg-slate-50 px-4 py-6 text-center text-sm text-slate-500">{t("empty")}</p>
      ) : (
        <ul className="mt-2 divide-y divide-slate-100 rounded-xl ring-1 ring-slate-200" aria-label={t("buckets")}>
          {buckets.map((b) => (
            <li key={b.id} className="flex items-center gap-3 px-3 py-2.5" data-testid="balance-bucket" data-kind={b.kind}>
              <span className={cn("shrink-0 rounded-full px-2 py-0.5 text-xs font-medium ring-1", KIND_TONE[b.kind])}>{t(`kind.${b.kind}`)}</span>
              <div className="min-w-0 flex-1">
                <p className="text-xs text-slate-500">{t("expires", { date: expiry(b.expiresAt, locale) })}</p>
                {BigInt(b.held) > 0n ? (
                  <p className="text-xs text-amber-700 tabular">{t("bucketHeld", { tokens: formatInt(BigInt(b.held), locale) })}</p>
                ) : null}
              </div>
              <span className="text-sm font-medium text-slate-900 tabular">{formatInt(BigInt(b.available), locale)}</span>
            </li>
          ))}
        </ul>
      )}
      <div className="mt-4 grid grid-cols-2 gap-2">
        <Link
          prefetch={false}
          href="/plans#packs"
          onClick={() => onOpenChange(false)}
          className="rounded-xl bg-brand-600 px-3 py-2.5 text-center text-sm font-medium text-white hover:bg-brand-700"
        >
          {t("buyPack")}
        </Link>
        <Link
          prefetch={false}
          href="/bills"
          onClick={() => onOpenChange(false)}
          className="rounded-xl bg-white px-3 py-2.5 text-center text-sm font-medium text-slate-800 ring-1 ring-slate-200 hover:bg-slate-50"
        >
          {t("bills")}
        </Link>
      </div>
    </div>
  );
}
