import { eq, sql } from "drizzle-orm";
import { z } from "zod";
import { env } from "@/lib/server/env";
import { getDb } from "@/lib/server/db";
import { smsCode } from "@/lib/db/schema";
import { phoneSchemaFor } from "@/lib/auth/phone";
import { rejectForeignOrigin } from "@/lib/http/origin";

/**
 * Demo-only: ages a phone's codes past their validity and past the resend interval, so the
 * expiry path and a second code can be shown and tested without waiting minutes. Absent unless
 * DEMO_MODE=true.
 */
export async function POST(req: Request) {
  if (!env.demoMode) return new Response(null, { status: 404 });
  const bad = rejectForeignOrigin(req);
  if (bad) return bad;
  const parsed = z.object({ phone: phoneSchemaFor({ demo: true }) }).safeParse(await req.json().catch(() => null));
  if (!parsed.success) return Response.json({ ok: false, code: "invalid_phone" }, { status: 400 });
  const db = await getDb();
  await db
    .update(smsCode)
    .set({ expiresAt: new Date(Date.now() - 1000), createdAt: sql`${smsCode.createdAt} - interval '6 minutes'` })
    .where(eq(smsCode.phone, parsed.data.phone));
  return Response.json({ ok: true });
}
