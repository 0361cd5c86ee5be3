import { randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/types";
import { findOrCreateUser } from "@/lib/auth/accounts";
import { provisionAccount } from "@/lib/accounts/provision";
import { reserve, settle } from "@/lib/ledger";
import { cycleOf } from "@/lib/billing/cycle";

export const sh = (s: string) => new Date(`${s}+08:00`);

let n = 0;
export async function newUser(db: Database, now: Date): Promise<string> {
  const phone = `137${String(++n).padStart(8, "0")}`;
  const { user } = await findOrCreateUser(db, { phone, now, onNewUser: (d, u) => provisionAccount(d, u, now) });
  return user.id;
}

/** One metered request the way the chat pipeline makes it: reserve, then settle with usage. */
export async function spend(db: Database, o: { walletId: string; userId: string; amount: bigint; now: Date; modelId?: string; conversationId?: string }) {
  const r = await reserve(db, { walletId: o.walletId, userId: o.userId, amount: o.amount, idempotencyKey: `req:${randomUUID()}`, cycle: cycleOf(o.now), now: o.now, ttlSeconds: 600 });
  if (!r.ok) throw new Error(`reserve failed: ${r.code}`);
  const tokens = Number(o.amount);
  return settle(db, {
    holdId: r.holdId,
    amount: o.amount,
    usage: {
      requestId: randomUUID(),
      userId: o.userId,
      modelId: o.modelId ?? "deepseek/deepseek-chat",
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
}
