"use client";
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Coins } from "lucide-react";
import Link from "next/link";
import { getMyBalance, type BalanceView } from "@/app/actions/balance";
import { formatTokens, type Locale } from "@/lib/core/format";

export const BALANCE_QUERY_KEY = ["balance"] as const;

export function useBalance() {
  return useQuery({
    queryKey: BALANCE_QUERY_KEY,
    queryFn: async (): Promise<BalanceView> => {
      const r = await getMyBalance(undefined);
      if (!r.ok) throw new Error(r.code);
      return r.balance;
    },
    refetchInterval: 5_000,
    refetchOnWindowFocus: true,
  });
}

/** The live balance in the header; updated from action results and refetched on focus/interval. */
export function BalanceBadge() {
  const t = useTranslations("common");
  const locale = useLocale() as Locale;
  const { data } = useBalance();
  return (
    <Link
      href="/plans"
      className="inline-flex items-center gap-1.5 rounded-full bg-brand-50 px-3 py-1.5 text-sm font-medium text-brand-700 ring-1 ring-brand-100 hover:bg-brand-100"
      aria-label={t("balance")}
      data-testid="balance"
      data-tokens={data?.available ?? ""}
    >
      <Coins className="size-4" />
      <span className="tabular">{data ? formatTokens(BigInt(data.available), locale) : "—"}</span>
      <span className="hidden text-xs font-normal text-brand-600/80 sm:inline">{t("tokens")}</span>
    </Link>
  );
}
