"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { getBalanceView } from "@/lib/ledger";

export type { BalanceView, BucketView } from "@/lib/ledger";

/** The signed-in user's paying wallet balance (bigints as strings for the wire), bucket by bucket. */
export const getMyBalance = userAction(z.object({}).optional(), async (_input, { db, user, now }) => ({
  ok: true as const,
  balance: await getBalanceView(db, { userId: user.id, now }),
}));
