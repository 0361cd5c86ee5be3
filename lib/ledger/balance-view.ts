import type { Database } from "@/lib/db/types";
import type { BucketKind } from "@/lib/db/schema";
import { getBalance } from "./balance";
import { resolvePayingWallet } from "./paying-wallet";

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

/** The user's paying wallet balance, bucket by bucket, with bigints as strings for the wire. Reads only. */
export async function getBalanceView(db: Database, { userId, now }: { userId: string; now: Date }): Promise<BalanceView> {
  const w = await resolvePayingWallet(db, { userId, now });
  const b = await getBalance(db, { walletId: w.walletId, now });
  return {
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
}
