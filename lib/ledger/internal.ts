import { createHash } from "node:crypto";
import { eq, sql } from "drizzle-orm";
import type { Database, Tx } from "@/lib/db/types";
import { ledgerOp } from "@/lib/db/schema";
import { queryRows } from "@/lib/db/sql";
import { IdempotencyConflictError } from "./errors";

/** bigint from whatever a driver returns for int8/numeric (string, number or bigint). */
export function big(v: unknown): bigint {
  if (typeof v === "bigint") return v;
  if (v === null || v === undefined) return 0n;
  return BigInt(typeof v === "number" ? Math.trunc(v) : String(v));
}

/** Stable hash of an operation's parameters (bigints and dates as strings, keys sorted). */
export function paramsHash(params: Record<string, unknown>): string {
  const norm = (v: unknown): unknown => {
    if (typeof v === "bigint") return `${v}n`;
    if (v instanceof Date) return v.toISOString();
    if (v && typeof v === "object") {
      return Object.fromEntries(
        Object.keys(v as object)
          .sort()
          .map((k) => [k, norm((v as Record<string, unknown>)[k])]),
      );
    }
    return v ?? null;
  };
  return createHash("sha256")
    .update(JSON.stringify(norm(params)))
    .digest("hex")
    .slice(0, 32);
}

export type Claimed = { fresh: true } | { fresh: false; result: Record<string, string | null> };

/**
 * Claims an idempotency key inside a transaction. A concurrent claimant of the same key waits
 * on the unique index until the first commits, then sees the stored result. Same key with other
 * parameters throws IdempotencyConflictError.
 */
export async function claimKey(tx: Tx, key: string, op: string, hash: string): Promise<Claimed> {
  const inserted = await tx
    .insert(ledgerOp)
    .values({ idempotencyKey: key, op, paramsHash: hash })
    .onConflictDoNothing()
    .returning({ key: ledgerOp.idempotencyKey });
  if (inserted.length > 0) return { fresh: true };
  const [prev] = await tx.select().from(ledgerOp).where(eq(ledgerOp.idempotencyKey, key));
  if (!prev || prev.op !== op || prev.paramsHash !== hash) throw new IdempotencyConflictError(key);
  return { fresh: false, result: prev.result ?? {} };
}

export async function storeResult(tx: Tx, key: string, result: Record<string, string | null>): Promise<void> {
  await tx.update(ledgerOp).set({ result }).where(eq(ledgerOp.idempotencyKey, key));
}

/** Locks the wallet row: the mutex for every change to the wallet's buckets, holds and spends. */
export async function lockWallet(
  tx: Tx | Database,
  walletId: string,
): Promise<{ kind: "personal" | "family"; ownerUserId: string; available: bigint; held: bigint } | null> {
  const rows = await queryRows<{ kind: "personal" | "family"; owner_user_id: string; available: string; held: string }>(
    tx as Database,
    sql`select kind, owner_user_id, available::text as available, held::text as held from wallet where id = ${walletId} for no key update`,
  );
  const r = rows[0];
  return r ? { kind: r.kind, ownerUserId: r.owner_user_id, available: big(r.available), held: big(r.held) } : null;
}

export type SplitPart = { bucketId: string; amount: string };

/** The underlying driver error (drizzle wraps them), for SQLSTATE checks. */
export function pgCode(e: unknown): string | undefined {
  let cur: unknown = e;
  for (let i = 0; i < 4 && cur; i++) {
    const c = (cur as { code?: unknown }).code;
    if (typeof c === "string" && /^[0-9A-Z]{5}$/.test(c)) return c;
    cur = (cur as { cause?: unknown }).cause;
  }
  return undefined;
}
