import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { and, desc, eq, gt, isNull, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { smsCode, smsLockout } from "@/lib/db/schema";
import type { SmsKind, SmsSender } from "@/lib/sms";

export const CODE_TTL_MS = 5 * 60_000;
export const RESEND_INTERVAL_MS = 60_000;
export const MAX_ATTEMPTS = 5;
export const LOCKOUT_MS = 15 * 60_000;

export type OtpPurpose = Extract<SmsKind, "sign_in" | "purchase">;

export type RequestCodeResult =
  | { ok: true; expiresAt: Date; resendAt: Date }
  | { ok: false; code: "too_soon"; retryAfterSeconds: number }
  | { ok: false; code: "ip_limit" }
  | { ok: false; code: "locked"; lockedUntil: Date };

export type VerifyCodeResult =
  | { ok: true }
  | { ok: false; code: "invalid_code"; attemptsLeft: number }
  | { ok: false; code: "too_many_attempts" | "code_expired" | "no_code" }
  | { ok: false; code: "locked"; lockedUntil: Date };

function hashCode(pepper: string, phone: string, purpose: string, code: string): string {
  return createHmac("sha256", pepper).update(`${phone}:${purpose}:${code}`).digest("hex");
}

const messages: Record<OtpPurpose, (code: string) => string> = {
  sign_in: (c) => `【Unitoken】验证码 ${c}，5分钟内有效，用于登录。请勿告诉他人。Your sign-in code is ${c}.`,
  purchase: (c) => `【Unitoken】验证码 ${c}，5分钟内有效，用于确认购买，费用计入话费账单。Purchase code: ${c}.`,
};

/**
 * Sends a fresh code, at most one per phone and purpose per 60 s and a capped number per IP
 * per hour. Serialised per phone by an advisory lock so concurrent requests cannot both send.
 */
export async function requestCode(
  db: Database,
  opts: { phone: string; purpose: OtpPurpose; ip: string | null; now: Date; sender: SmsSender; pepper: string; ipHourlyLimit: number; codeOverride?: string },
): Promise<RequestCodeResult> {
  const { phone, purpose, ip, now } = opts;
  const code = opts.codeOverride ?? String(randomInt(0, 1_000_000)).padStart(6, "0");
  const result = await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`otp:${phone}`}))`);
    const [lock] = await tx.select().from(smsLockout).where(and(eq(smsLockout.phone, phone), gt(smsLockout.lockedUntil, now)));
    if (lock && purpose === "sign_in") return { ok: false as const, code: "locked" as const, lockedUntil: lock.lockedUntil };
    const [last] = await tx
      .select({ createdAt: smsCode.createdAt })
      .from(smsCode)
      .where(and(eq(smsCode.phone, phone), eq(smsCode.purpose, purpose)))
      .orderBy(desc(smsCode.createdAt))
      .limit(1);
    if (last && now.getTime() - last.createdAt.getTime() < RESEND_INTERVAL_MS) {
      return { ok: false as const, code: "too_soon" as const, retryAfterSeconds: Math.ceil((RESEND_INTERVAL_MS - (now.getTime() - last.createdAt.getTime())) / 1000) };
    }
    if (ip) {
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(smsCode)
        .where(and(eq(smsCode.ip, ip), gt(smsCode.createdAt, new Date(now.getTime() - 3_600_000))));
      if (n >= opts.ipHourlyLimit) return { ok: false as const, code: "ip_limit" as const };
    }
    await tx.insert(smsCode).values({
      phone,
      purpose,
      ip,
      codeHash: hashCode(opts.pepper, phone, purpose, code),
      expiresAt: new Date(now.getTime() + CODE_TTL_MS),
      createdAt: now,
    });
    return { ok: true as const, expiresAt: new Date(now.getTime() + CODE_TTL_MS), resendAt: new Date(now.getTime() + RESEND_INTERVAL_MS) };
  });
  if (result.ok) await opts.sender.send({ phone, body: messages[purpose](code), kind: purpose });
  return result;
}

/**
 * Checks a code against the newest live code of the phone. Each try is counted atomically;
 * the fifth wrong try kills the code (and locks sign-in for 15 minutes); a right code is
 * consumed exactly once.
 */
export async function verifyCode(
  db: Database,
  opts: { phone: string; purpose: OtpPurpose; code: string; now: Date; pepper: string },
): Promise<VerifyCodeResult> {
  const { phone, purpose, now } = opts;
  if (purpose === "sign_in") {
    const [lock] = await db.select().from(smsLockout).where(and(eq(smsLockout.phone, phone), gt(smsLockout.lockedUntil, now)));
    if (lock) return { ok: false, code: "locked", lockedUntil: lock.lockedUntil };
  }
  const [latest] = await db
    .select()
    .from(smsCode)
    .where(and(eq(smsCode.phone, phone), eq(smsCode.purpose, purpose), isNull(smsCode.consumedAt)))
    .orderBy(desc(smsCode.createdAt))
    .limit(1);
  if (!latest) return { ok: false, code: "no_code" };
  if (latest.attempts >= MAX_ATTEMPTS) return { ok: false, code: "too_many_attempts" };
  if (latest.expiresAt.getTime() <= now.getTime()) return { ok: false, code: "code_expired" };
  const expected = Buffer.from(latest.codeHash, "hex");
  const given = Buffer.from(hashCode(opts.pepper, phone, purpose, opts.code), "hex");
  if (expected.length === given.length && timingSafeEqual(expected, given)) {
    const consumed = await db
      .update(smsCode)
      .set({ consumedAt: now })
      .where(and(eq(smsCode.id, latest.id), isNull(smsCode.consumedAt), sql`${smsCode.attempts} < ${MAX_ATTEMPTS}`))
      .returning({ id: smsCode.id });
    return consumed.length === 1 ? { ok: true } : { ok: false, code: "no_code" };
  }
  const [counted] = await db
    .update(smsCode)
    .set({ attempts: sql`${smsCode.attempts} + 1` })
    .where(and(eq(smsCode.id, latest.id), isNull(smsCode.consumedAt), sql`${smsCode.attempts} < ${MAX_ATTEMPTS}`))
    .returning({ attempts: smsCode.attempts });
  if (!counted) return { ok: false, code: "too_many_attempts" };
  const left = MAX_ATTEMPTS - counted.attempts;
  if (left <= 0) {
    if (purpose === "sign_in") {
      const lockedUntil = new Date(now.getTime() + LOCKOUT_MS);
      await db
        .insert(smsLockout)
        .values({ phone, lockedUntil, createdAt: now })
        .onConflictDoUpdate({ target: smsLockout.phone, set: { lockedUntil, createdAt: now } });
    }
    return { ok: false, code: "too_many_attempts" };
  }
  return { ok: false, code: "invalid_code", attemptsLeft: left };
}

/** Lifts a sign-in lockout (customer service). Returns whether one was active. */
export async function clearLockout(db: Database, { phone, now }: { phone: string; now: Date }): Promise<boolean> {
  const rows = await db.delete(smsLockout).where(and(eq(smsLockout.phone, phone), gt(smsLockout.lockedUntil, now))).returning();
  // Kill any half-tried codes so the user starts clean.
  await db.update(smsCode).set({ consumedAt: now }).where(and(eq(smsCode.phone, phone), isNull(smsCode.consumedAt)));
  return rows.length > 0;
}

export async function getLockout(db: Database, { phone, now }: { phone: string; now: Date }): Promise<Date | null> {
  const [lock] = await db.select().from(smsLockout).where(and(eq(smsLockout.phone, phone), gt(smsLockout.lockedUntil, now)));
  return lock?.lockedUntil ?? null;
}
