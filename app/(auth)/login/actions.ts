"use server";
import { z } from "zod";
import { headers } from "next/headers";
import { signIn } from "@/auth";
import { env } from "@/lib/server/env";
import { getDb } from "@/lib/server/db";
import { clientIp } from "@/lib/server/actions";
import { codeSchema, phoneSchemaFor } from "@/lib/auth/phone";
import { otpLimitsFromEnv, requestCode, verifyCode } from "@/lib/auth/otp";
import { createSession, findOrCreateUser } from "@/lib/auth/accounts";
import { smsSender } from "@/lib/server/wiring";
import { provisionAccount } from "@/lib/accounts/provision";
import { secret } from "@/auth";
import { fail, toFailure, type Failure } from "@/lib/core/errors";

const pepper = () => secret ?? "unitoken";
// The demo accounts' numbers are valid only in demo mode.
const phoneSchema = phoneSchemaFor({ demo: env.demoMode });

export async function sendSignInCode(raw: { phone: string }): Promise<{ ok: true; resendInSeconds: number } | Failure> {
  const parsed = z.object({ phone: phoneSchema }).safeParse(raw);
  if (!parsed.success) return fail("invalid_phone");
  try {
    const db = await getDb();
    const r = await requestCode(db, {
      phone: parsed.data.phone,
      purpose: "sign_in",
      ip: await clientIp(),
      now: new Date(),
      sender: smsSender(db),
      pepper: pepper(),
      limits: otpLimitsFromEnv(env),
    });
    if (r.ok) return { ok: true, resendInSeconds: 60 };
    if (r.code === "too_soon") return fail("too_soon", { seconds: r.retryAfterSeconds });
    if (r.code === "locked") return fail("locked", { minutes: Math.max(1, Math.ceil((r.lockedUntil.getTime() - Date.now()) / 60_000)) });
    return fail(r.code);
  } catch (err) {
    return toFailure(err);
  }
}

export async function verifySignInCode(raw: { phone: string; code: string }): Promise<{ ok: true; role: "subscriber" | "support" } | Failure> {
  const parsed = z.object({ phone: phoneSchema, code: codeSchema }).safeParse(raw);
  if (!parsed.success) {
    const bad = parsed.error.issues[0]?.path[0] === "phone" ? "invalid_phone" : "invalid_code_format";
    return fail(bad);
  }
  try {
    const db = await getDb();
    const now = new Date();
    const ip = await clientIp();
    const r = await verifyCode(db, { phone: parsed.data.phone, purpose: "sign_in", code: parsed.data.code, now, pepper: pepper(), ip });
    if (!r.ok) {
      if (r.code === "invalid_code") return fail("invalid_code", { attemptsLeft: r.attemptsLeft });
      if (r.code === "locked") return fail("locked", { minutes: Math.max(1, Math.ceil((r.lockedUntil.getTime() - now.getTime()) / 60_000)) });
      return fail(r.code);
    }
    const { user } = await findOrCreateUser(db, { phone: parsed.data.phone, now, onNewUser: (d, u) => provisionAccount(d, u, now) });
    const h = await headers();
    const ticket = await createSession(db, { userId: user.id, now, ip, userAgent: h.get("user-agent") });
    await signIn("sms-ticket", { ticket, redirect: false });
    return { ok: true, role: user.role };
  } catch (err) {
    return toFailure(err);
  }
}
