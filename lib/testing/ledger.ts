import { randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { reconcileLedger } from "@/lib/ledger/reconcile";
import { reserve, settle } from "@/lib/ledger/holds";
import { cycleOf } from "@/lib/core/cycle";

let seq = 0;
/** A subscriber row for ledger tests (phone numbers unique per process). */
export async function makeUser(db: Database): Promise<string> {
  seq++;
  const phone = `139${String(process.pid % 10000).padStart(4, "0")}${String(seq).padStart(4, "0")}`;
  const [u] = await db.insert(user).values({ phone }).returning({ id: user.id });
  return u.id;
}

export const key = (p = "k") => `${p}:${randomUUID()}`;

/** Fails the test with the reconcile report when any ledger invariant is broken. */
export async function expectReconciled(db: Database): Promise<void> {
  const r = await reconcileLedger(db);
  if (!r.ok) throw new Error(`ledger invariants broken:\n${r.problems.map((p) => `  ${p.check}: ${p.detail}`).join("\n")}`);
}

export const NOW = new Date("2026-05-10T04:00:00Z");
export const CYCLE = "2026-05";
export const DAY = 86_400_000;
export const days = (n: number, from = NOW) => new Date(from.getTime() + n * DAY);

/**
 * One metered request the way the chat pipeline makes it: reserve, then settle the whole hold
 * with a usage row (tokens split evenly in/out at weight 1). Returns the reserve's refusal as is.
 */
export async function meteredRequest(
  db: Database,
  o: { walletId: string; userId: string; amount: bigint; now: Date; modelId: string; conversationId?: string | null },
) {
  const r = await reserve(db, {
    walletId: o.walletId,
    userId: o.userId,
    amount: o.amount,
    idempotencyKey: `req:${randomUUID()}`,
    cycle: cycleOf(o.now),
    now: o.now,
    ttlSeconds: 600,
  });
  if (!r.ok) return r;
  const tokens = Number(o.amount);
  const s = await settle(db, {
    holdId: r.holdId,
    amount: o.amount,
    usage: {
      requestId: randomUUID(),
      userId: o.userId,
      modelId: o.modelId,
      providerRoute: "demo",
      conversationId: o.conversationId ?? null,
      tokensIn: Math.floor(tokens / 2),
      tokensOut: tokens - Math.floor(tokens / 2),
      weightInMicro: 1_000_000n,
      weightOutMicro: 1_000_000n,
      usageSource: "provider",
      status: "ok",
    },
  });
  return { ok: true as const, ...s };
}
