"use client";
import { useQuery } from "@tanstack/react-query";
import { getMyBalance, type BalanceView } from "@/app/actions/balance";

export const BALANCE_QUERY_KEY = ["balance"] as const;

/**
 * The paying wallet's balance, shared by the badge, the sheet and the chat (one query). `initial`
 * is the balance the page was rendered with: the first poll waits for the interval instead of
 * asking again while the page hydrates.
 */
export function useBalance(initial?: BalanceView) {
  return useQuery({
    queryKey: BALANCE_QUERY_KEY,
    queryFn: async (): Promise<BalanceView> => {
      const r = await getMyBalance(undefined);
      if (!r.ok) throw new Error(r.code);
      return r.balance;
    },
    initialData: initial,
    staleTime: 5_000,
    refetchInterval: 5_000,
    refetchOnWindowFocus: true,
  });
}
