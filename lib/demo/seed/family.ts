import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { walletMember } from "@/lib/db/schema";
import { getModel } from "@/lib/catalog";
import { addMember, createFamilyWallet, getBalance, reserve, settle } from "@/lib/ledger";
import { cycleBounds, cycleOf } from "@/lib/core/cycle";
import { stampPast, type SeedStep } from "./step";

const OWNER = "13800000003";
const MEMBER = "13800000004";
/** 王小明's monthly cap in the demo: 2000万 tokens. */
export const DEMO_MEMBER_CAP = 20_000_000n;

/** A metered request at a past instant of this cycle, as the chat pipeline records it. */
async function pastRequest(db: Database, o: { walletId: string; userId: string; at: Date; modelId: string; tokensIn: number; tokensOut: number; key: string }) {
  const m = getModel(o.modelId);
  const wIn = m?.weights.inMicro ?? 1_000_000n;
  const wOut = m?.weights.outMicro ?? 1_000_000n;
  const planTokens = (BigInt(o.tokensIn) * wIn + BigInt(o.tokensOut) * wOut + 999_999n) / 1_000_000n;
  if (planTokens <= 0n) return;
  const r = await reserve(db, {
    walletId: o.walletId,
    userId: o.userId,
    amount: planTokens,
    idempotencyKey: o.key,
    cycle: cycleOf(o.at),
    now: o.at,
    ttlSeconds: 600,
  });
  if (!r.ok || r.replayed) return;
  const requestId = `seed-${randomUUID()}`;
  await settle(db, {
    holdId: r.holdId,
    amount: planTokens,
    usage: {
      requestId,
      userId: o.userId,
      modelId: m?.id ?? o.modelId,
      providerRoute: "demo",
      tokensIn: o.tokensIn,
      tokensOut: o.tokensOut,
      weightInMicro: wIn,
      weightOutMicro: wOut,
      usageSource: "provider",
      status: "ok",
    },
  });
  await stampPast(db, { requestId, walletId: o.walletId, at: o.at });
}

/**
 * Demo family: 王小明 is a member of 王芳's family with a 2000万 monthly cap, and both have some
 * usage this month. Runs after the plans step (which subscribes 王芳 to the ¥199.9 tier); without
 * it, the family wallet is created here and the usage is skipped (an empty pool).
 */
export const seedFamily: SeedStep = async (db, { now, users }) => {
  const owner = users[OWNER];
  const member = users[MEMBER];
  if (!owner || !member) return;
  const w = await createFamilyWallet(db, { ownerUserId: owner });
  const [existing] = await db
    .select()
    .from(walletMember)
    .where(and(eq(walletMember.walletId, w.id), eq(walletMember.userId, member)));
  if (existing?.status === "active") return;
  const start = cycleBounds(cycleOf(now)).start;
  await addMember(db, { walletId: w.id, userId: member, capTokens: DEMO_MEMBER_CAP });
  await db
    .update(walletMember)
    .set({ joinedAt: start.getTime() < now.getTime() - 86_400_000 ? start : now })
    .where(and(eq(walletMember.walletId, w.id), eq(walletMember.userId, member)));

  if ((await getBalance(db, { walletId: w.id, now })).available <= 0n) return;
  const models = ["deepseek-chat", "qwen-plus", "gpt-4o-mini", "kimi-k2"].filter((id) => getModel(id));
  if (models.length === 0) return;
  const days = Math.min(6, Math.floor((now.getTime() - start.getTime()) / 86_400_000));
  for (let d = days; d >= 0; d--) {
    for (const [who, n] of [
      [member, 2],
      [owner, 1],
    ] as const) {
      for (let k = 0; k < n; k++) {
        let at = new Date(Math.min(now.getTime() - 60_000, now.getTime() - d * 86_400_000 - (k * 4 + 1) * 3_600_000));
        if (at < start) {
          // Early on the cycle's first day the hours before fall in last month: spread today's
          // requests over what of this cycle has passed, so the month shows its usage.
          const span = now.getTime() - start.getTime();
          if (d > 0 || span < 10_000) continue;
          at = new Date(start.getTime() + Math.floor((span * (k + (who === owner ? 2 : 1))) / (n + 3)));
        }
        await pastRequest(db, {
          walletId: w.id,
          userId: who,
          at,
          modelId: models[(d + k + (who === owner ? 1 : 0)) % models.length]!,
          tokensIn: 18_000 + ((d * 37 + k * 11) % 20) * 1_000,
          tokensOut: 3_000 + ((d * 13 + k * 7) % 10) * 400,
          key: `seed-family:${who}:${d}:${k}`,
        });
      }
    }
  }
};
