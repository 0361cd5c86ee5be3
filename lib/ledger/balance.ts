import { and, asc, eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bucket, wallet } from "@/lib/db/schema";
import { WalletNotFoundError } from "./errors";
import { BUCKET_KINDS, type BucketKind } from "@/lib/db/schema";

export type BucketBalance = {
  id: string;
  kind: BucketKind;
  available: bigint;
  held: bigint;
  granted: bigint;
  expiresAt: Date;
  source: string;
  cycle: string | null;
};
export type Balance = { available: bigint; held: bigint; total: bigint; buckets: BucketBalance[] };

const rank = (k: BucketKind) => BUCKET_KINDS.indexOf(k);

/**
 * What a wallet can spend now: live buckets in consumption order. A bucket past its expiry that
 * the sweeper has not reached yet already counts as zero available here, as it does in reserve.
 */
export async function getBalance(db: Database, { walletId, now }: { walletId: string; now: Date }): Promise<Balance> {
  const [w] = await db.select({ id: wallet.id }).from(wallet).where(eq(wallet.id, walletId));
  if (!w) throw new WalletNotFoundError(walletId);
  const rows = await db
    .select()
    .from(bucket)
    .where(and(eq(bucket.walletId, walletId), sql`((${bucket.expiredAt} is null and ${bucket.available} > 0) or ${bucket.held} > 0)`))
    .orderBy(asc(bucket.expiresAt), asc(bucket.createdAt), asc(bucket.id));
  const buckets = rows
    .map((b) => ({
      id: b.id,
      kind: b.kind,
      available: b.expiredAt === null && b.expiresAt.getTime() > now.getTime() ? b.available : 0n,
      held: b.held,
      granted: b.granted,
      expiresAt: b.expiresAt,
      source: b.source,
      cycle: b.cycle,
    }))
    .sort((a, b) => a.expiresAt.getTime() - b.expiresAt.getTime() || rank(a.kind) - rank(b.kind))
    .filter((b) => b.available > 0n || b.held > 0n);
  const available = buckets.reduce((s, b) => s + b.available, 0n);
  const held = buckets.reduce((s, b) => s + b.held, 0n);
  return { available, held, total: available + held, buckets };
}
