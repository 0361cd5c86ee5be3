import { env } from "@/lib/server/env";
import { getDb } from "@/lib/server/db";
import { getCurrentUser } from "@/lib/server/session";
import { resolvePayingWallet } from "@/lib/ledger";
import { adjust, getBalance } from "@/lib/ledger";
import { rejectForeignOrigin } from "@/lib/http/origin";

/**
 * Demo-only: spends the signed-in user's own remaining tokens (a recorded adjustment), so the
 * "no tokens left" path of chat can be shown and tested without chatting 500K tokens away.
 * Absent unless DEMO_MODE=true.
 */
export async function POST(req: Request) {
  if (!env.demoMode) return new Response(null, { status: 404 });
  const bad = rejectForeignOrigin(req);
  if (bad) return bad;
  const u = await getCurrentUser();
  if (!u) return Response.json({ ok: false, code: "unauthenticated" }, { status: 401 });
  const db = await getDb();
  const now = new Date();
  const w = await resolvePayingWallet(db, { userId: u.id });
  // Only one's own wallet: a family member must not empty the shared pool.
  if (w.kind !== "personal" || w.ownerUserId !== u.id) return Response.json({ ok: false, code: "not_found" }, { status: 404 });
  const b = await getBalance(db, { walletId: w.walletId, now });
  if (b.available > 0n) {
    await adjust(db, {
      walletId: w.walletId,
      amount: -b.available,
      actorUserId: u.id,
      reason: "demo: balance used up",
      idempotencyKey: `demo-use-up:${w.walletId}:${now.getTime()}`,
      now,
    });
  }
  return Response.json({ ok: true });
}
