import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { queryRows } from "@/lib/db/sql";
import { grant } from "./ops";
import { big, lockWallet } from "./internal";
import { WalletNotFoundError } from "./errors";

/** Where a carryover bucket came from: `carryover:<from wallet>:<cycle carried from>`. */
export const carryoverSource = (fromWalletId: string, fromCycle: string) => `carryover:${fromWalletId}:${fromCycle}`;

/**
 * What the allowance of `cycle` in `walletId` had left when it expired: the `expire:<bucket>`
 * entries of that cycle's allowance buckets (tokens held at that moment and returned later are
 * expired with their hold, not carried). Expires the wallet's due buckets first, under its lock,
 * so the figure is final once `now` is past the cycle's end.
 */
export async function allowanceLeftAtExpiry(db: Database, { walletId, cycle, now }: { walletId: string; cycle: string; now: Date }): Promise<bigint> {
  return db.transaction(async (tx) => {
    if (!(await lockWallet(tx, walletId))) throw new WalletNotFoundError(walletId);
    await queryRows(tx, sql`select ledger_expire_wallet(${walletId}::uuid, ${now.toISOString()}::timestamptz)`);
    const [r] = await queryRows<{ n: string }>(
      tx,
      sql`select coalesce(sum(-e.amount), 0)::text as n
            from bucket b join entry e on e.bucket_id = b.id and e.kind = 'expire' and e.idempotency_key = 'expire:' || b.id::text
           where b.wallet_id = ${walletId}::uuid and b.kind = 'allowance' and b.cycle = ${cycle}
             and b.expired_at is not null`,
    );
    return big(r?.n);
  });
}

/**
 * 结转: carries what `fromCycle`'s allowance in `fromWalletId` had left when it expired into a
 * carryover bucket of `toWalletId`, good until `expiresAt` (the end of the cycle it lands in).
 * Carried once: only allowance buckets count (never a carryover bucket), and the grant's key is
 * fixed per (subscription, cycle), so a rerun replays. Returns the tokens carried (0: nothing left).
 * Keeps: each wallet's entries equal its buckets (the expiry left one wallet, the grant enters one).
 */
export async function carryOverAllowance(
  db: Database,
  o: { fromWalletId: string; toWalletId: string; fromCycle: string; toCycle: string; expiresAt: Date; key: string; now: Date },
): Promise<bigint> {
  const left = await allowanceLeftAtExpiry(db, { walletId: o.fromWalletId, cycle: o.fromCycle, now: o.now });
  if (left <= 0n) return 0n;
  await grant(db, {
    walletId: o.toWalletId,
    kind: "carryover",
    amount: left,
    expiresAt: o.expiresAt,
    source: carryoverSource(o.fromWalletId, o.fromCycle),
    cycle: o.toCycle,
    idempotencyKey: o.key,
    reason: "上月结转",
  });
  return left;
}
