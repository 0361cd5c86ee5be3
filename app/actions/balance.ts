"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { getBalance } from "@/lib/ledger";
import { resolvePayingWallet } from "@/lib/ledger";
import type { BucketKind } from "@/lib/db/schema";

export type BucketView = { id: string; kind: BucketKind; available: string; held: string; expiresAt: string };
export type BalanceView = {
  walletId: string;
  kind: "personal" | "family";
  available: string;
  held: string;
  total: string;
  /** Live buckets in the order they are spent (earliest expiry first). */
  buckets?: BucketView[];
};

/** The signed-in user's paying wallet balance (bigints as strings for the wire), bucket by bucket. */
export const getMyBalance = userAction(z.object({}).optional(), async (_input, { db, user, now }) => {
  const w = await resolvePayingWallet(db, { userId: user.id });
  const b = await getBalance(db, { walletId: w.walletId, now });
  const balance: BalanceView = {
    walletId: w.walletId,
    kind: w.kind,
    available: b.available.toString(),
    held: b.held.toString(),
    total: b.total.toString(),
    buckets: b.buckets.map((x) => ({
      id: x.id,
      kind: x.kind,
      available: x.available.toString(),
      held: x.held.toString(),
      expiresAt: x.expiresAt.toISOString(),
    })),
  };
  return { ok: true as const, balance };
});
