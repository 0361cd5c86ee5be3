import type { Database } from "@/lib/db/types";
import type { User } from "@/lib/db/schema";
import { ensurePersonalWallet, grant } from "@/lib/ledger";
import { TRIAL } from "@/lib/plans/tiers";

export const TRIAL_TOKENS = TRIAL.tokens;
export const TRIAL_DAYS = TRIAL.days;

/** A new account gets its personal wallet and the one-time free trial (idempotent by user). */
export async function provisionAccount(db: Database, u: Pick<User, "id" | "createdAt">, now: Date = new Date()): Promise<void> {
  const w = await ensurePersonalWallet(db, { userId: u.id });
  await grant(db, {
    walletId: w.id,
    kind: "trial",
    amount: TRIAL_TOKENS,
    expiresAt: new Date(now.getTime() + TRIAL_DAYS * 86_400_000),
    source: "trial",
    idempotencyKey: `trial:${u.id}`,
    reason: "free trial",
  });
}
