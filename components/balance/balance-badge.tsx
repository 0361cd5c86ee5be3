"use client";
import { useState } from "react";
import dynamic from "next/dynamic";
import { useLocale, useTranslations } from "next-intl";
import { Coins } from "lucide-react";
import { BALANCE_QUERY_KEY, useBalance } from "./use-balance";
import { formatBalance, type Locale } from "@/lib/core/format";
import type { BalanceView } from "@/app/actions/balance";

export { BALANCE_QUERY_KEY, useBalance };

// The sheet (and its dialog) is not part of any page's first load: it loads when a pointer or
// focus reaches the badge, and renders only once it has been opened.
const loadSheet = () => import("./balance-sheet");
const BalanceSheet = dynamic(() => loadSheet().then((m) => m.BalanceSheet), { ssr: false });

/**
 * The live balance in the header, with enough digits to see a reply move it (1549.96万); rendered
 * with the page's balance, updated from each reply's settle and refetched on focus/interval.
 * Tapping it opens the balance sheet.
 */
export function BalanceBadge({ initial }: { initial?: BalanceView }) {
  const t = useTranslations("common");
  const ts = useTranslations("spend.balance");
  const locale = useLocale() as Locale;
  const { data } = useBalance(initial);
  const [open, setOpen] = useState(false);
  const [opened, setOpened] = useState(false);
  const text = data ? formatBalance(BigInt(data.available), locale) : "—";
  return (
    <>
      <button
        type="button"
        onClick={() => {
          setOpened(true);
          setOpen(true);
        }}
        onPointerEnter={() => void loadSheet()}
        onFocus={() => void loadSheet()}
        className="inline-flex items-center gap-1.5 rounded-full bg-brand-50 px-3 py-1.5 text-sm font-medium text-brand-700 ring-1 ring-brand-100 hover:bg-brand-100"
        aria-label={ts("badgeLabel", { amount: text })}
        aria-haspopup="dialog"
        data-testid="balance"
        data-tokens={data?.available ?? ""}
      >
        <Coins className="size-4" aria-hidden />
        <span className="tabular">{text}</span>
        <span className="hidden text-xs font-normal text-brand-600/80 sm:inline">{t("tokens")}</span>
      </button>
      {opened ? <BalanceSheet open={open} onOpenChange={setOpen} /> : null}
    </>
  );
}
