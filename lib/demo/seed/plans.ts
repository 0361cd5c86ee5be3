import { randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/types";
import { getCatalog, getModel } from "@/lib/catalog";
import { reserve, settle } from "@/lib/ledger";
import { cycleBounds, cycleOf, previousCycle } from "@/lib/core/cycle";
import { stampPast, type SeedStep } from "./step";
import { buyPack, changePlan, getSubscription } from "@/lib/plans/subscriptions";
import { runRollover } from "@/lib/plans/rollover";
// Demo purchases are recorded on our own bill, as the app's carrier adapter does.
import { embeddedCarrier } from "@/lib/billing/carrier";
import { walletForTier } from "@/lib/plans/wallets";
import { getTier } from "@/lib/plans/tiers";

const PREFERRED = ["deepseek-chat", "qwen-plus", "gpt-4o-mini", "claude-3-7-sonnet", "kimi-k2", "glm-4.5"];

function demoModels() {
  const found = PREFERRED.map((id) => getModel(id)).filter((m) => m !== undefined);
  return found.length >= 3 ? found : getCatalog().models.slice(0, 4);
}

/** A metered request at a past instant, as the pipeline would have recorded it. */
async function pastRequest(db: Database, o: { walletId: string; userId: string; at: Date; tokensIn: number; tokensOut: number; i: number }) {
  const models = demoModels();
  const m = models[o.i % models.length]!;
  const planTokens = (BigInt(o.tokensIn) * m.weights.inMicro + BigInt(o.tokensOut) * m.weights.outMicro + 999_999n) / 1_000_000n;
  if (planTokens <= 0n) return;
  const r = await reserve(db, {
    walletId: o.walletId,
    userId: o.userId,
    amount: planTokens,
    idempotencyKey: `seed:${o.userId}:${o.at.toISOString()}:${o.i}`,
    cycle: cycleOf(o.at),
    now: o.at,
    ttlSeconds: 600,
  });
  if (!r.ok) return;
  const requestId = `seed-${randomUUID()}`;
  await settle(db, {
    holdId: r.holdId,
    amount: planTokens,
    usage: {
      requestId,
      userId: o.userId,
      modelId: m.id,
      providerRoute: "demo",
      tokensIn: o.tokensIn,
      tokensOut: o.tokensOut,
      weightInMicro: m.weights.inMicro,
      weightOutMicro: m.weights.outMicro,
      usageSource: "provider",
      status: "ok",
    },
  });
  await stampPast(db, { requestId, walletId: o.walletId, at: o.at });
}

/** Demo plans: 张伟 on ¥59.9 since last month with usage and a pack; 王芳 on the ¥199.9 family tier. */
export const seedPlans: SeedStep = async (db, { now, users }) => {
  const personal = users["13800000001"];
  const family = users["13800000003"];
  const cycle = cycleOf(now);
  if (personal && !(await getSubscription(db, { userId: personal }))) {
    const prev = previousCycle(cycle);
    const prevStart = cycleBounds(prev).start;
    const start = cycleBounds(cycle).start;
    await changePlan(db, { adapter: embeddedCarrier, userId: personal, tierId: "t599", now: new Date(prevStart.getTime() + 9 * 3_600_000) });
    const walletId = await walletForTier(db, { userId: personal, tier: getTier("t599")! });
    let i = 0;
    for (let d = 1; d < cycleBounds(prev).days; d += 2) {
      await pastRequest(db, {
        walletId,
        userId: personal,
        at: new Date(prevStart.getTime() + d * 86_400_000 + 10 * 3_600_000),
        tokensIn: 40_000 + ((d * 7919) % 30_000),
        tokensOut: 6_000 + ((d * 104_729) % 9_000),
        i: i++,
      });
    }
    await runRollover(db, { now: start, adapter: embeddedCarrier });
    const today = Math.floor((now.getTime() - start.getTime()) / 86_400_000);
    for (let d = 0; d <= today; d++) {
      for (let k = 0; k < 2; k++) {
        const at = new Date(Math.min(now.getTime() - 60_000, start.getTime() + d * 86_400_000 + (9 + k * 5) * 3_600_000));
        if (at < start) continue;
        await pastRequest(db, {
          walletId,
          userId: personal,
          at,
          tokensIn: 30_000 + ((d * 31 + k * 17) % 40) * 1_000,
          tokensOut: 4_000 + ((d * 13 + k) % 20) * 500,
          i: i++,
        });
      }
    }
    await buyPack(db, {
      adapter: embeddedCarrier,
      userId: personal,
      packId: "p99",
      nonce: "seed",
      now: new Date(Math.max(start.getTime(), now.getTime() - 2 * 86_400_000)),
    });
  }
  if (family && !(await getSubscription(db, { userId: family }))) {
    await changePlan(db, {
      adapter: embeddedCarrier,
      userId: family,
      tierId: "t1999",
      now: new Date(Math.max(cycleBounds(cycle).start.getTime() + 3_600_000, now.getTime() - 5 * 86_400_000)),
    });
  }
};
