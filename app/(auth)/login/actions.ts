"use server";
import { z } from "zod";
import { headers } from "next/headers";
import { signIn } from "@/auth";
import { env } from "@/lib/env";
import { getDb } from "@/lib/db";
import { clientIp } from "@/lib/actions";
import { codeSchema, phoneSchema } from "@/lib/auth/phone";
import { requestCode, verifyCode } from "@/lib/auth/otp";
import { createSession, findOrCreateUser } from "@/lib/auth/accounts";
import { consoleSender } from "@/lib/sms";
import { provisionAccount } from "@/lib/accounts/provision";
import { secret } from "@/auth";
import { fail, toFailure, type Failure } from "@/lib/errors";

const pepper = () => secret ?? "unitoken";

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
      sender: consoleSender(db),
      pepper: pepper(),
      ipHourlyLimit: env.SMS_IP_HOURLY_LIMIT,
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
    const r = await verifyCode(db, { phone: parsed.data.phone, purpose: "sign_in", code: parsed.data.code, now, pepper: pepper() });
    if (!r.ok) {
      if (r.code === "invalid_code") return fail("invalid_code", { attemptsLeft: r.attemptsLeft });
      if (r.code === "locked") return fail("locked", { minutes: Math.max(1, Math.ceil((r.lockedUntil.getTime() - now.getTime()) / 60_000)) });
      return fail(r.code);
    }
    const { user } = await findOrCreateUser(db, { phone: parsed.data.phone, now, onNewUser: (d, u) => provisionAccount(d, u, now) });
    const h = await headers();
    const ticket = await createSession(db, { userId: user.id, now, ip: await clientIp(), userAgent: h.get("user-agent") });
    await signIn("sms-ticket", { ticket, redirect: false });
    return { ok: true, role: user.role };
  } catch (err) {
    return toFailure(err);
  }
}
