import { timingSafeEqual } from "node:crypto";
import { env } from "@/lib/server/env";
import { getDb } from "@/lib/server/db";
import { carrierBilling } from "@/lib/server/wiring";
import { runRollover } from "@/lib/plans";

export const dynamic = "force-dynamic";

function authorized(req: Request): boolean {
  const secret = env.CRON_SECRET;
  if (!secret) return false;
  const given = Buffer.from(req.headers.get("authorization") ?? "");
  const want = Buffer.from(`Bearer ${secret}`);
  return given.length === want.length && timingSafeEqual(given, want);
}

/** The monthly rollover for a scheduler: `Authorization: Bearer $CRON_SECRET`. Idempotent. */
async function handle(req: Request) {
  if (!authorized(req)) return Response.json({ ok: false, code: "unauthorized" }, { status: 401 });
  const report = await runRollover(await getDb(), { now: new Date(), adapter: carrierBilling() });
  return Response.json({ ok: report.errors.length === 0, ...report }, { status: report.errors.length ? 500 : 200, headers: { "cache-control": "no-store" } });
}

export const POST = handle;
export const GET = handle;
