import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { findOrCreateUser } from "@/lib/auth/accounts";
import { provisionAccount } from "@/lib/accounts/provision";
import { ensurePersonalWallet, reserve, settle } from "@/lib/ledger";
import { cycleOf } from "@/lib/core/cycle";

/** A subscriber (wallet + trial) or a staff member, for tests and the demo seed. */
export async function makeUser(
  db: Database,
  { phone, name, role = "subscriber", now }: { phone: string; name: string; role?: "subscriber" | "support"; now: Date },
) {
  const { user: u } = await findOrCreateUser(db, { phone, now, onNewUser: role === "subscriber" ? (d, c) => provisionAccount(d, c, now) : undefined });
  await db.update(user).set({ name, role }).where(eq(user.id, u.id));
  return u.id;
}

/**
 * One metered request through the ledger (reserve, then settle with usage), the way the chat
 * pipeline records it. Returns the usage row id.
 */
export async function recordUsage(
  db: Database,
  {
    userId,
    now,
    key,
    modelId = "deepseek-chat",
    tokensIn = 1200,
    tokensOut = 800,
    ttlSeconds = 600,
    settleIt = true,
    conversationId = null,
  }: {
    userId: string;
    now: Date;
    key: string;
    modelId?: string;
    tokensIn?: number;
    tokensOut?: number;
    ttlSeconds?: number;
    settleIt?: boolean;
    conversationId?: string | null;
  },
): Promise<{ holdId: string; usageId: string | null; planTokens: bigint }> {
  const w = await ensurePersonalWallet(db, { userId });
  const planTokens = BigInt(tokensIn + tokensOut);
  const r = await reserve(db, { walletId: w.id, userId, amount: planTokens * 2n, idempotencyKey: `hold:${key}`, cycle: cycleOf(now), now, ttlSeconds });
  if (!r.ok) throw new Error(`reserve failed: ${r.code}`);
  if (!settleIt) return { holdId: r.holdId, usageId: null, planTokens };
  const s = await settle(db, {
    holdId: r.holdId,
    amount: planTokens,
    usage: {
      requestId: `req:${key}`,
      userId,
      modelId,
      conversationId,
      providerRoute: "demo",
      tokensIn,
      tokensOut,
      weightInMicro: 1_000_000n,
      weightOutMicro: 1_000_000n,
      usageSource: "provider",
      status: "ok",
    },
  });
  return { holdId: r.holdId, usageId: s.usageId ?? null, planTokens };
}
