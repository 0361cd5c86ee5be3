import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { bill, billLine, bucket, carrierCharge, subscription } from "@/lib/db/schema";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig } from "@/lib/completion";
import { embeddedCarrier } from "@/lib/billing/carrier";
import { billingChecks } from "@/lib/billing/bill-checks";
import { ensurePersonalWallet, getBalance, ledgerChecks, ledgerNotices, runChecks } from "@/lib/ledger";
import { cycleBounds, cycleOf } from "@/lib/core/cycle";
import { newUser } from "@/lib/testing/plans";
import { changePlan, getSubscription, rolloverTicker, runRollover, type RolloverReport } from "./index";
import { delayToNextTurn } from "./rollover";
import { onWalletDry, setSafetyNet } from "./safety-net";

// The month turns and nobody has run the rollover yet: the server's own ticker, and a request
// that finds the wallet dry, both bring the plan into the new cycle — and nothing else is bought.

const DAY = 86_400_000;
const noSms = { send: async () => {} };

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await close();
  await server?.close();
});

const config = (): PipelineConfig => ({
  demoMode: true,
  demoBaseUrl: server.baseUrl,
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "20" },
  safetyNet: async (d, p) => (await onWalletDry(d, { ...p, adapter: embeddedCarrier, sender: noSms })).action === "retry",
});

/** A subscriber who signed up over a month ago (the trial has run out) and whose plan was not rolled over since. */
async function lateSubscriber(tierId: string) {
  const now = new Date();
  const before = new Date(cycleBounds(cycleOf(now)).start.getTime() - 35 * DAY);
  const userId = await newUser(db, before);
  await changePlan(db, { adapter: embeddedCarrier, userId, tierId, now: before });
  const sub = (await getSubscription(db, { userId }))!;
  expect(sub.currentCycle < cycleOf(now)).toBe(true);
  expect((await getBalance(db, { walletId: sub.walletId, now })).available).toBe(0n);
  return { userId, walletId: sub.walletId, now };
}

async function planFees(userId: string, cycle: string) {
  const [b] = await db
    .select()
    .from(bill)
    .where(and(eq(bill.userId, userId), eq(bill.cycle, cycle)));
  if (!b) return [];
  return (await db.select().from(billLine).where(eq(billLine.billId, b.id))).filter((l) => l.kind === "plan_fee").map((l) => l.amountFen);
}

async function problems() {
  return (await runChecks(db, [...ledgerChecks, ...billingChecks], ledgerNotices)).problems;
}

describe("a plan whose month turned before the rollover ran", () => {
  it("a request that finds the wallet dry renews the plan first and is served from the new allowance; the automatic pack is not bought", async () => {
    const { userId, walletId, now } = await lateSubscriber("t599");
    await setSafetyNet(db, { payerUserId: userId, walletId, userId, choice: { mode: "auto_pack", packId: "p99", maxPacksPerMonth: 3 }, now });
    const ask = () =>
      startMeteredCompletion(db, {
        userId,
        walletId,
        modelId: "deepseek-chat",
        messages: [{ role: "user", content: "你好" }],
        maxOutputTokens: 100,
        requestId: `late-${Math.random().toString(36).slice(2)}`,
        now,
        config: config(),
      });
    const r = await ask();
    if (!r.ok) throw new Error(r.code);
    for await (const _ of r.events) void _;
    const out = await r.done;
    expect(out.status).toBe("ok");
    expect(out.planTokens).toBeGreaterThan(0n);
    expect((await getSubscription(db, { userId }))!.currentCycle).toBe(cycleOf(now));
    expect(await planFees(userId, cycleOf(now))).toEqual([5990n]);
    const packs = (await db.select().from(bucket).where(eq(bucket.walletId, walletId))).filter((b) => b.kind === "pack");
    expect(packs).toEqual([]);
    expect((await getBalance(db, { walletId, now })).available).toBe(30_000_000n - out.planTokens);
    // A second request finds the plan current: no second renewal.
    const again = await ask();
    if (!again.ok) throw new Error(again.code);
    for await (const _ of again.events) void _;
    await again.done;
    expect(await planFees(userId, cycleOf(now))).toEqual([5990n]);
    expect(await problems()).toEqual([]);
  });

  it("a family member's request renews the owner's family plan, the pool that pays it", async () => {
    const owner = await lateSubscriber("t1999");
    const member = await newUser(db, owner.now);
    const dryFor = (walletId: string) =>
      onWalletDry(db, {
        walletId,
        userId: member,
        modelId: "deepseek-chat",
        weights: { inMicro: 1_000_000n, outMicro: 1_000_000n },
        now: owner.now,
        adapter: embeddedCarrier,
        sender: noSms,
      });
    expect(await dryFor(owner.walletId)).toEqual({ action: "retry" });
    expect((await getSubscription(db, { userId: owner.userId }))!.currentCycle).toBe(cycleOf(owner.now));
    expect((await getBalance(db, { walletId: owner.walletId, now: owner.now })).available).toBeGreaterThan(0n);
    // The member's own wallet pays for no plan: nothing to renew there, and with no safety net, refuse.
    const own = await ensurePersonalWallet(db, { userId: member });
    expect(await dryFor(own.id)).toEqual({ action: "refuse" });
    expect(await problems()).toEqual([]);
  });

  it("the ticker runs the job at start and once per cycle, again after a pass with errors, never two at once", async () => {
    const runs: string[] = [];
    let fail = false;
    let gate: Promise<void> | null = null;
    const ticker = rolloverTicker(async (now) => {
      runs.push(cycleOf(now));
      await gate;
      return { cycle: cycleOf(now), closedBills: 0, renewed: 0, ended: 0, lapsed: 0, errors: fail ? [{ userId: "u", error: "declined" }] : [] };
    });
    const at = (s: string) => new Date(`${s}+08:00`);
    expect(await ticker.tick(at("2026-03-31T23:59:00"))).toMatchObject({ cycle: "2026-03" });
    expect(await ticker.tick(at("2026-03-31T23:59:59"))).toBeNull();
    fail = true;
    expect((await ticker.tick(at("2026-04-01T00:00:00")))?.errors).toHaveLength(1);
    fail = false;
    expect(await ticker.tick(at("2026-04-01T00:01:00"))).toMatchObject({ cycle: "2026-04", errors: [] });
    expect(await ticker.tick(at("2026-04-01T00:02:00"))).toBeNull();
    let open!: () => void;
    gate = new Promise((r) => (open = r));
    const slow = ticker.tick(at("2026-05-01T00:00:00"));
    expect(await ticker.tick(at("2026-05-01T00:01:00"))).toBeNull();
    open();
    expect(await slow).toMatchObject({ cycle: "2026-05" });
    expect(runs).toEqual(["2026-03", "2026-04", "2026-04", "2026-05"]);
  });

  it("the real job through the ticker renews every late plan once, and a second instance's tick finds nothing to do", async () => {
    const a = await lateSubscriber("t399");
    const b = await lateSubscriber("t599");
    const run = (now: Date): Promise<RolloverReport> => runRollover(db, { now, adapter: embeddedCarrier });
    const [one, two] = await Promise.all([rolloverTicker(run).tick(a.now), rolloverTicker(run).tick(a.now)]);
    expect((one?.renewed ?? 0) + (two?.renewed ?? 0)).toBeGreaterThanOrEqual(2);
    for (const s of [a, b]) {
      expect((await getSubscription(db, { userId: s.userId }))!.currentCycle).toBe(cycleOf(a.now));
      expect((await planFees(s.userId, cycleOf(a.now))).length).toBe(1);
      const charges = await db
        .select()
        .from(carrierCharge)
        .where(and(eq(carrierCharge.userId, s.userId), eq(carrierCharge.kind, "renewal")));
      expect(charges).toHaveLength(1);
    }
    const subs = await db.select().from(subscription).where(eq(subscription.userId, a.userId));
    expect(subs).toHaveLength(1);
    expect(await problems()).toEqual([]);
  });
});

describe("the timer for the turn", () => {
  it("wakes a second after the next Shanghai midnight on the 1st, or early when the wait is longer than a timer takes", () => {
    const at = (s: string) => new Date(`${s}+08:00`);
    expect(delayToNextTurn(at("2026-11-30T23:59:00"))).toBe(61_000);
    expect(delayToNextTurn(at("2026-12-01T00:00:00"))).toBe(2 ** 31 - 1);
    expect(delayToNextTurn(at("2026-02-20T00:00:00"))).toBe(9 * 86_400_000 + 1000);
    // After a capped wait, the next one is measured again from then.
    const woke = new Date(at("2026-12-01T00:00:00").getTime() + 2 ** 31 - 1);
    expect(cycleOf(woke)).toBe("2026-12");
    expect(woke.getTime() + delayToNextTurn(woke)).toBe(at("2027-01-01T00:00:01").getTime());
  });
});
