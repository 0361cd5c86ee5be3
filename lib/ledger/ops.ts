import { and, eq, isNull, lte, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bucket, entry, usage, wallet } from "@/lib/db/schema";
import { queryRows } from "@/lib/db/sql";
import { InvalidAmountError, UsageNotFoundError, WalletNotFoundError } from "./errors";
import { big, claimKey, lockWallet, paramsHash, storeResult, type SplitPart } from "./internal";

import type { BucketKind } from "@/lib/db/schema";
export type { BucketKind };

export type GrantInput = {
  walletId: string;
  kind: BucketKind;
  amount: bigint;
  expiresAt: Date;
  /** What created the bucket, e.g. "plan:pro:2026-05", "pack:<order>", "trial". */
  source: string;
  cycle?: string;
  idempotencyKey: string;
  actorUserId?: string;
  reason?: string;
};

/** Adds a bucket of tokens to a wallet. Idempotent by key; wallet total grows by exactly `amount`. */
export async function grant(db: Database, input: GrantInput): Promise<{ bucketId: string; replayed: boolean }> {
  if (input.amount <= 0n) throw new InvalidAmountError("grant amount must be positive");
  const hash = paramsHash({ ...input, idempotencyKey: undefined, reason: undefined, actorUserId: undefined });
  return db.transaction(async (tx) => {
    const claim = await claimKey(tx, input.idempotencyKey, "grant", hash);
    if (!claim.fresh) return { bucketId: claim.result.bucketId!, replayed: true };
    const [b] = await tx
      .insert(bucket)
      .values({
        walletId: input.walletId,
        kind: input.kind,
        available: input.amount,
        granted: input.amount,
        expiresAt: input.expiresAt,
        source: input.source,
        cycle: input.cycle ?? null,
      })
      .returning({ id: bucket.id });
    await tx.insert(entry).values({
      walletId: input.walletId,
      bucketId: b.id,
      kind: "grant",
      amount: input.amount,
      idempotencyKey: input.idempotencyKey,
      paramsHash: hash,
      actorUserId: input.actorUserId ?? null,
      reason: input.reason ?? null,
    });
    const updated = await tx
      .update(wallet)
      .set({ available: sql`${wallet.available} + ${input.amount.toString()}::bigint` })
      .where(eq(wallet.id, input.walletId))
      .returning({ id: wallet.id });
    if (updated.length === 0) throw new WalletNotFoundError(input.walletId);
    await storeResult(tx, input.idempotencyKey, { bucketId: b.id });
    return { bucketId: b.id, replayed: false };
  });
}

export type AdjustInput = {
  walletId: string;
  /** Signed: positive adds a credit bucket, negative takes from the live buckets. */
  amount: bigint;
  actorUserId: string;
  reason: string;
  idempotencyKey: string;
  /** Expiry of the credit bucket a positive adjustment creates (default: 90 days from now). */
  expiresAt?: Date;
  now?: Date;
};

export type AdjustResult = { ok: true; replayed: boolean; bucketIds: string[] } | { ok: false; code: "insufficient_balance"; available: bigint };

class Rollback extends Error {
  constructor(readonly result: AdjustResult) {
    super("rollback");
  }
}

/**
 * Support adjustment, with actor and reason. A credit adds a bucket; a debit takes from available
 * tokens in consumption order and never below zero. Idempotent by key.
 */
export async function adjust(db: Database, input: AdjustInput): Promise<AdjustResult> {
  if (input.amount === 0n) throw new InvalidAmountError("adjustment must not be zero");
  if (!input.reason.trim()) throw new InvalidAmountError("adjustment needs a reason");
  const now = input.now ?? new Date();
  const hash = paramsHash({ walletId: input.walletId, amount: input.amount, expiresAt: input.expiresAt ?? null });
  try {
    return await db.transaction(async (tx) => {
      const claim = await claimKey(tx, input.idempotencyKey, "adjust", hash);
      if (!claim.fresh) return { ok: true as const, replayed: true, bucketIds: (claim.result.bucketIds ?? "").split(",").filter(Boolean) };
      const locked = await lockWallet(tx, input.walletId);
      if (!locked) throw new WalletNotFoundError(input.walletId);
      let bucketIds: string[];
      if (input.amount > 0n) {
        const [b] = await tx
          .insert(bucket)
          .values({
            walletId: input.walletId,
            kind: "credit",
            available: input.amount,
            granted: input.amount,
            expiresAt: input.expiresAt ?? new Date(now.getTime() + 90 * 86_400_000),
            source: `adjust:${input.idempotencyKey}`,
          })
          .returning({ id: bucket.id });
        await tx.insert(entry).values({
          walletId: input.walletId,
          bucketId: b.id,
          kind: "adjust",
          amount: input.amount,
          idempotencyKey: input.idempotencyKey,
          paramsHash: hash,
          actorUserId: input.actorUserId,
          reason: input.reason,
        });
        await tx
          .update(wallet)
          .set({ available: sql`${wallet.available} + ${input.amount.toString()}::bigint` })
          .where(eq(wallet.id, input.walletId));
        bucketIds = [b.id];
      } else {
        const debit = -input.amount;
        await queryRows(tx, sql`select ledger_expire_wallet(${input.walletId}::uuid, ${now.toISOString()}::timestamptz)`);
        const debited = await tx
          .update(wallet)
          .set({ available: sql`${wallet.available} - ${debit.toString()}::bigint` })
          .where(and(eq(wallet.id, input.walletId), sql`${wallet.available} >= ${debit.toString()}::bigint`))
          .returning({ id: wallet.id });
        if (debited.length === 0) {
          const [w] = await tx.select({ available: wallet.available }).from(wallet).where(eq(wallet.id, input.walletId));
          throw new Rollback({ ok: false, code: "insufficient_balance", available: big(w?.available) });
        }
        const [row] = await queryRows<{ split: SplitPart[] | string }>(
          tx,
          sql`select ledger_take(${input.walletId}::uuid, ${debit.toString()}::bigint, ${now.toISOString()}::timestamptz, false) as split`,
        );
        const split: SplitPart[] = typeof row.split === "string" ? JSON.parse(row.split) : row.split;
        await tx.insert(entry).values(
          split.map((p) => ({
            walletId: input.walletId,
            bucketId: p.bucketId,
            kind: "adjust" as const,
            amount: -BigInt(p.amount),
            idempotencyKey: input.idempotencyKey,
            paramsHash: hash,
            actorUserId: input.actorUserId,
            reason: input.reason,
          })),
        );
        bucketIds = split.map((p) => p.bucketId);
      }
      await storeResult(tx, input.idempotencyKey, { bucketIds: bucketIds.join(",") });
      return { ok: true as const, replayed: false, bucketIds };
    });
  } catch (e) {
    if (e instanceof Rollback) return e.result;
    throw e;
  }
}

export type RefundResult = { ok: true; replayed: boolean; amount: bigint; bucketId: string | null } | { ok: false; code: "already_refunded" };

/**
 * Credits a usage row's plan tokens back once (a credit bucket), marks the row refunded and
 * takes the tokens off the member's spend for that cycle. Idempotent by key.
 */
export async function refundUsage(
  db: Database,
  input: { usageId: string; actorUserId: string; reason: string; idempotencyKey: string; now?: Date; expiresAt?: Date },
): Promise<RefundResult> {
  const now = input.now ?? new Date();
  const hash = paramsHash({ usageId: input.usageId });
  return db.transaction(async (tx) => {
    const claim = await claimKey(tx, input.idempotencyKey, "refund", hash);
    if (!claim.fresh) {
      if (claim.result.refused) return { ok: false as const, code: "already_refunded" as const };
      return { ok: true as const, replayed: true, amount: BigInt(claim.result.amount ?? "0"), bucketId: claim.result.bucketId ?? null };
    }
    const marked = await tx
      .update(usage)
      .set({ refundedAt: now })
      .where(and(eq(usage.id, input.usageId), isNull(usage.refundedAt)))
      .returning();
    const u = marked[0];
    if (!u) {
      const [exists] = await tx.select({ id: usage.id }).from(usage).where(eq(usage.id, input.usageId));
      if (!exists) throw new UsageNotFoundError(input.usageId);
      await storeResult(tx, input.idempotencyKey, { refused: "already_refunded" });
      return { ok: false as const, code: "already_refunded" as const };
    }
    const amount = u.planTokens;
    let bucketId: string | null = null;
    if (amount > 0n) {
      await lockWallet(tx, u.walletId);
      const [b] = await tx
        .insert(bucket)
        .values({
          walletId: u.walletId,
          kind: "credit",
          available: amount,
          granted: amount,
          expiresAt: input.expiresAt ?? new Date(now.getTime() + 30 * 86_400_000),
          source: `refund:${u.id}`,
        })
        .returning({ id: bucket.id });
      bucketId = b.id;
      await tx.insert(entry).values({
        walletId: u.walletId,
        bucketId: b.id,
        holdId: u.holdId,
        kind: "refund",
        amount,
        idempotencyKey: input.idempotencyKey,
        paramsHash: hash,
        actorUserId: input.actorUserId,
        reason: input.reason,
      });
      await tx
        .update(wallet)
        .set({ available: sql`${wallet.available} + ${amount.toString()}::bigint` })
        .where(eq(wallet.id, u.walletId));
      await queryRows(
        tx,
        sql`update member_spend set used = greatest(used - ${amount.toString()}::bigint, 0)
            where wallet_id = ${u.walletId}::uuid and user_id = ${u.userId}::uuid and cycle = ${u.cycle}`,
      );
    }
    await storeResult(tx, input.idempotencyKey, { amount: amount.toString(), bucketId });
    return { ok: true as const, replayed: false, amount, bucketId };
  });
}

/**
 * Expires every bucket past its time: its available tokens leave the wallet with an entry; tokens
 * still held are written off when their hold resolves. One transaction per wallet.
 */
export async function expireBuckets(db: Database, { now }: { now: Date }): Promise<{ wallets: number; expired: bigint }> {
  const due = await db
    .selectDistinct({ walletId: bucket.walletId })
    .from(bucket)
    .where(and(isNull(bucket.expiredAt), lte(bucket.expiresAt, now)));
  let expired = 0n;
  for (const { walletId } of due) {
    expired += await db.transaction(async (tx) => {
      await lockWallet(tx, walletId);
      const [r] = await queryRows<{ n: string }>(tx, sql`select ledger_expire_wallet(${walletId}::uuid, ${now.toISOString()}::timestamptz)::text as n`);
      return big(r?.n);
    });
  }
  return { wallets: due.length, expired };
}
