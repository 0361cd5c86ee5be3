"use client";
import { useQuery } from "@tanstack/react-query";
import { getMyBalance, type BalanceView } from "@/app/actions/balance";

export const BALANCE_QUERY_KEY = ["balance"] as const;

/** The paying wallet's balance, shared by the badge, the sheet and the chat (one query). */
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
