import type { Database } from "@/lib/db/types";
import { findOrCreateUser } from "@/lib/auth/accounts";
import { provisionAccount } from "@/lib/accounts/provision";
import { meteredRequest } from "@/lib/testing/ledger";

export const sh = (s: string) => new Date(`${s}+08:00`);

let n = 0;
export async function newUser(db: Database, now: Date): Promise<string> {
  const phone = `137${String(++n).padStart(8, "0")}`;
  const { user } = await findOrCreateUser(db, { phone, now, onNewUser: (d, u) => provisionAccount(d, u, now) });
  return user.id;
}

/** One metered request the way the chat pipeline makes it: reserve, then settle with usage. */
export async function spend(db: Database, o: { walletId: string; userId: string; amount: bigint; now: Date; modelId?: string; conversationId?: string }) {
  const r = await meteredRequest(db, { ...o, modelId: o.modelId ?? "deepseek/deepseek-chat" });
  if (!r.ok) throw new Error(`reserve failed: ${r.code}`);
  return r;
}
