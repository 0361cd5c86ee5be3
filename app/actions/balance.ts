"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { getBalance } from "@/lib/ledger";
import { resolvePayingWallet } from "@/lib/ledger";

export type BalanceView = { walletId: string; kind: "personal" | "family"; available: string; held: string; total: string };

/** The signed-in user's paying wallet balance (bigints as strings for the wire). */
export const getMyBalance = userAction(z.object({}).optional(), async (_input, { db, user, now }) => {
  const w = await resolvePayingWallet(db, { userId: user.id });
  const b = await getBalance(db, { walletId: w.walletId, now });
  const balance: BalanceView = { walletId: w.walletId, kind: w.kind, available: b.available.toString(), held: b.held.toString(), total: b.total.toString() };
  return { ok: true as const, balance };
});
