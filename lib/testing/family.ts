import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { smsMessage, subscription, user } from "@/lib/db/schema";
import { createFamilyWallet, ensurePersonalWallet, grant } from "@/lib/ledger";
import { cycleOf } from "@/lib/core/cycle";
import { consoleSender } from "@/lib/sms";
import { meteredRequest } from "@/lib/testing/ledger";

/** Real time: usage rows are stamped by the database clock, so tests stay in the current cycle. */
export const NOW = new Date();
export const HOUR = 3_600_000;
export const quietSms = (db: Database) => consoleSender(db, () => {});

let seq = 0;
/** A subscriber with a unique phone (per process) and a personal wallet. */
export async function person(db: Database, name?: string): Promise<{ id: string; phone: string }> {
  seq++;
  const phone = `136${String(process.pid % 10000).padStart(4, "0")}${String(seq).padStart(4, "0")}`;
  const [u] = await db
    .insert(user)
    .values({ phone, name: name ?? null })
    .returning({ id: user.id });
  await ensurePersonalWallet(db, { userId: u!.id });
  return { id: u!.id, phone };
}

/**
 * An owner on a family tier, the way the plans module leaves them: an active subscription row
 * pointing at the family wallet, and the cycle's allowance granted into it.
 */
export async function familyOwner(
  db: Database,
  { tierId = "t1999", pool = 1_000_000n, name = "户主", now = NOW }: { tierId?: string; pool?: bigint; name?: string; now?: Date } = {},
) {
  const owner = await person(db, name);
  const w = await createFamilyWallet(db, { ownerUserId: owner.id });
  await db
    .insert(subscription)
    .values({ userId: owner.id, tierId, status: "active", currentCycle: cycleOf(now), walletId: w.id, startedAt: now, updatedAt: now });
  if (pool > 0n)
    await grant(db, {
      walletId: w.id,
      kind: "allowance",
      amount: pool,
      expiresAt: new Date(now.getTime() + 40 * 24 * HOUR),
      source: "plan:test",
      cycle: cycleOf(now),
      idempotencyKey: `allow:${randomUUID()}`,
    });
  return { owner, walletId: w.id };
}

/** Grants a personal plan allowance (so the person "has their own plan"). */
export async function givePersonalPlan(db: Database, userId: string, amount = 500_000n, now = NOW) {
  const w = await ensurePersonalWallet(db, { userId });
  await grant(db, {
    walletId: w.id,
    kind: "allowance",
    amount,
    expiresAt: new Date(now.getTime() + 30 * 24 * HOUR),
    source: "plan:test",
    cycle: cycleOf(now),
    idempotencyKey: `own:${randomUUID()}`,
  });
  return w.id;
}

/** One metered request, as the chat pipeline makes it. */
export function spend(db: Database, o: { walletId: string; userId: string; amount: bigint; now?: Date; modelId?: string; conversationId?: string | null }) {
  return meteredRequest(db, { ...o, now: o.now ?? NOW, modelId: o.modelId ?? "deepseek-chat" });
}

export async function textsTo(db: Database, phone: string) {
  return db
    .select()
    .from(smsMessage)
    .where(and(eq(smsMessage.phone, phone), eq(smsMessage.kind, "invite")));
}
