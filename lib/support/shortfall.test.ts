import { afterEach, beforeEach, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { ensurePersonalWallet, getBalance, reconcileLedger, reserve, settle, sweepHolds } from "@/lib/ledger";
import { cycleOf } from "@/lib/core/cycle";
import { getAccountView } from "./account";
import { makeUser, recordUsage } from "@/lib/testing/support";

const now = new Date("2026-11-20T10:00:00+08:00");
let db: Database;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => {
  expect((await reconcileLedger(db)).problems).toEqual([]);
  await close();
});

it("support sees usage a stream produced after its hold was resolved that the wallet could not pay", async () => {
  const customer = await makeUser(db, { phone: "13800000001", name: "张伟", now });
  const w = await ensurePersonalWallet(db, { userId: customer });
  const { available } = await getBalance(db, { walletId: w.id, now });
  // A hold of almost everything, swept as stale; then the rest is spent elsewhere.
  const tokensIn = Number(available / 2n) - 1;
  const { holdId } = await recordUsage(db, { userId: customer, now, key: "stale", tokensIn, tokensOut: 0, ttlSeconds: 60, settleIt: false });
  await sweepHolds(db, { now: new Date(now.getTime() + 61_000) });
  const rest = (await getBalance(db, { walletId: w.id, now })).available - 10n;
  const other = await reserve(db, { walletId: w.id, userId: customer, amount: rest, idempotencyKey: "hold:other", cycle: cycleOf(now), now, ttlSeconds: 600 });
  if (!other.ok) throw new Error(other.code);
  await settle(db, { holdId: other.holdId, amount: rest });
  // The stream ends after all: 500 tokens were produced, the wallet holds 10.
  const late = await settle(db, {
    holdId,
    amount: 500n,
    now,
    usage: {
      requestId: "req:stale",
      userId: customer,
      modelId: "deepseek-chat",
      providerRoute: "demo",
      tokensIn: 400,
      tokensOut: 100,
      weightInMicro: 1_000_000n,
      weightOutMicro: 1_000_000n,
      usageSource: "counted",
      status: "ok",
    },
  });
  expect(late).toMatchObject({ outcome: "late", charged: 10n });
  const v = await getAccountView(db, { userId: customer, now });
  expect(v.shortfalls).toEqual([expect.objectContaining({ id: holdId, shortfall: 490n, lateCharged: 10n })]);
  const rep = await reconcileLedger(db);
  expect(rep.notices.map((n) => n.check)).toContain("late_charge_shortfall");
});
