import { createHmac, randomInt, timingSafeEqual } from "node:crypto";
import { and, desc, eq, gt, inArray, isNull, lte, max, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { otpFailure, smsCode, smsLockout } from "@/lib/db/schema";
import type { SmsKind, SmsSender } from "@/lib/sms";
import { describeError } from "@/lib/core/errors";

export const CODE_TTL_MS = 5 * 60_000;
export const RESEND_INTERVAL_MS = 60_000;
export const MAX_ATTEMPTS = 5;
/** A code killed by wrong tries locks sign-in from that client for this long. */
export const LOCKOUT_MS = 15 * 60_000;

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
/** A failure-limit lock lasts an hour, doubling for each lock of the same key within a day, capped at a day. */
const LOCK_BASE_MS = HOUR_MS;
const LOCK_MAX_MS = DAY_MS;

export type OtpPurpose = Extract<SmsKind, "sign_in" | "purchase">;

/**
 * How many codes may go out and how many wrong codes may be tried. The short lock is keyed on
 * (phone, client), so a stranger cannot lock the owner out; the long one, on the phone from every
 * client, has a higher threshold over a longer window. Purchase codes are only tried by the
 * signed-in user, so their limit is per user (phone).
 */
export type OtpLimits = {
  /** wrong codes from one client for one phone per hour before that client is locked out */
  clientFailuresPerHour: number;
  /** wrong codes for one phone from all clients per day before sign-in codes are locked for everyone */
  phoneFailuresPerDay: number;
  /** wrong purchase codes per user per hour before purchase codes are locked */
  purchaseFailuresPerHour: number;
  /** codes sent to one phone per hour / per day, all purposes */
  phoneCodesPerHour: number;
  phoneCodesPerDay: number;
  /** codes sent on request of one IP per hour */
  ipCodesPerHour: number;
  /** codes sent in total per hour */
  globalCodesPerHour: number;
};

export const DEFAULT_OTP_LIMITS: OtpLimits = {
  clientFailuresPerHour: 10,
  phoneFailuresPerDay: 50,
  purchaseFailuresPerHour: 10,
  phoneCodesPerHour: 5,
  phoneCodesPerDay: 10,
  ipCodesPerHour: 30,
  globalCodesPerHour: 1000,
};

/** The limits from the parsed environment (the env schema). */
export function otpLimitsFromEnv(env: {
  SMS_IP_HOURLY_LIMIT: number;
  SMS_PHONE_HOURLY_LIMIT: number;
  SMS_PHONE_DAILY_LIMIT: number;
  SMS_GLOBAL_HOURLY_LIMIT: number;
}): Partial<OtpLimits> {
  return {
    ipCodesPerHour: env.SMS_IP_HOURLY_LIMIT,
    phoneCodesPerHour: env.SMS_PHONE_HOURLY_LIMIT,
    phoneCodesPerDay: env.SMS_PHONE_DAILY_LIMIT,
    globalCodesPerHour: env.SMS_GLOBAL_HOURLY_LIMIT,
  };
}

export type RequestCodeResult =
  | { ok: true; expiresAt: Date; resendAt: Date }
  | { ok: false; code: "too_soon"; retryAfterSeconds: number }
  | { ok: false; code: "ip_limit" | "phone_limit" | "sms_budget" | "sms_unavailable" }
  | { ok: false; code: "locked"; lockedUntil: Date };

export type VerifyCodeResult =
  | { ok: true }
  | { ok: false; code: "invalid_code"; attemptsLeft: number }
  | { ok: false; code: "too_many_attempts" | "code_expired" | "no_code" }
  | { ok: false; code: "locked"; lockedUntil: Date };

function hashCode(pepper: string, phone: string, purpose: string, code: string): string {
  return createHmac("sha256", pepper).update(`${phone}:${purpose}:${code}`).digest("hex");
}

/** The key a client's failures and short locks are counted under. */
function clientKey(ip: string | null): string {
  return ip && ip.length > 0 ? ip : "unknown";
}

const messages: Record<OtpPurpose, (code: string) => string> = {
  sign_in: (c) => `【Unitoken】验证码 ${c}，5分钟内有效，用于登录。请勿告诉他人。Your sign-in code is ${c}.`,
  purchase: (c) => `【Unitoken】验证码 ${c}，5分钟内有效，用于确认购买，费用计入话费账单。Purchase code: ${c}.`,
};

/** The lock rows that apply to a purpose and client: the client's own and the phone-wide one. */
function lockKeys(phone: string, purpose: OtpPurpose, client: string) {
  const clients = purpose === "sign_in" ? [client, ""] : [""];
  return and(eq(smsLockout.phone, phone), eq(smsLockout.purpose, purpose), inArray(smsLockout.client, clients));
}

async function activeLock(db: Database, phone: string, purpose: OtpPurpose, client: string, now: Date): Promise<Date | null> {
  const [row] = await db
    .select({ until: max(smsLockout.lockedUntil) })
    .from(smsLockout)
    .where(and(lockKeys(phone, purpose, client), gt(smsLockout.lockedUntil, now)));
  return row?.until ? new Date(row.until) : null;
}

/**
 * Sends a fresh code, at most one per phone and purpose per 60 s, within the phone's hourly and
 * daily caps, the IP's hourly cap and the global hourly budget; over any of them nothing is sent.
 * Serialised by one advisory lock, so concurrent requests cannot overshoot a budget.
 */
export async function requestCode(
  db: Database,
  opts: {
    phone: string;
    purpose: OtpPurpose;
    ip: string | null;
    now: Date;
    sender: SmsSender;
    pepper: string;
    /** kept for callers that only set the IP cap; `limits.ipCodesPerHour` wins */
    ipHourlyLimit?: number;
    limits?: Partial<OtpLimits>;
    codeOverride?: string;
  },
): Promise<RequestCodeResult> {
  const { phone, purpose, ip, now } = opts;
  const limits: OtpLimits = { ...DEFAULT_OTP_LIMITS, ...(opts.ipHourlyLimit !== undefined ? { ipCodesPerHour: opts.ipHourlyLimit } : {}), ...opts.limits };
  const code = opts.codeOverride ?? String(randomInt(0, 1_000_000)).padStart(6, "0");
  const hourAgo = new Date(now.getTime() - HOUR_MS);
  const dayAgo = new Date(now.getTime() - DAY_MS);
  const result = await db.transaction(async (tx) => {
    // One lock for every send: the global budget is a count over all phones.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext('otp:send'))`);
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`otp:${phone}`}))`);
    const lockedUntil = await activeLock(tx, phone, purpose, clientKey(ip), now);
    if (lockedUntil) return { ok: false as const, code: "locked" as const, lockedUntil };
    const [last] = await tx
      .select({ createdAt: smsCode.createdAt })
      .from(smsCode)
      .where(and(eq(smsCode.phone, phone), eq(smsCode.purpose, purpose)))
      .orderBy(desc(smsCode.createdAt))
      .limit(1);
    if (last && now.getTime() - last.createdAt.getTime() < RESEND_INTERVAL_MS) {
      return {
        ok: false as const,
        code: "too_soon" as const,
        retryAfterSeconds: Math.ceil((RESEND_INTERVAL_MS - (now.getTime() - last.createdAt.getTime())) / 1000),
      };
    }
    const [perPhone] = await tx
      .select({
        hour: sql<number>`count(*) filter (where ${smsCode.createdAt} > ${hourAgo})::int`,
        day: sql<number>`count(*)::int`,
      })
      .from(smsCode)
      .where(and(eq(smsCode.phone, phone), gt(smsCode.createdAt, dayAgo)));
    if (perPhone!.hour >= limits.phoneCodesPerHour || perPhone!.day >= limits.phoneCodesPerDay) return { ok: false as const, code: "phone_limit" as const };
    if (ip) {
      const [{ n }] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(smsCode)
        .where(and(eq(smsCode.ip, ip), gt(smsCode.createdAt, hourAgo)));
      if (n >= limits.ipCodesPerHour) return { ok: false as const, code: "ip_limit" as const };
    }
    const [{ total }] = await tx.select({ total: sql<number>`count(*)::int` }).from(smsCode).where(gt(smsCode.createdAt, hourAgo));
    if (total >= limits.globalCodesPerHour) return { ok: false as const, code: "sms_budget" as const };
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
  if (!result.ok) return result;
  try {
    await opts.sender.send({ phone, body: messages[purpose](code), kind: purpose, code });
  } catch (err) {
    // The code stays stored (and counted against the limits): a retry asks for a new one.
    console.error("[sms] one-time code not delivered", describeError(err));
    return { ok: false as const, code: "sms_unavailable" as const };
  }
  return result;
}

/** Locks a key until at least `until`, or for a doubling time when `grow` (a repeat within a day). */
async function lockKey(
  db: Database,
  key: { phone: string; purpose: OtpPurpose; client: string },
  now: Date,
  how: { forMs: number } | { grow: true },
): Promise<Date> {
  const [prev] = await db
    .select()
    .from(smsLockout)
    .where(and(eq(smsLockout.phone, key.phone), eq(smsLockout.purpose, key.purpose), eq(smsLockout.client, key.client)));
  let strikes = prev?.strikes ?? 0;
  let until: Date;
  if ("grow" in how) {
    const recent = prev && prev.lockedUntil.getTime() > now.getTime() - DAY_MS;
    strikes = recent ? prev.strikes + 1 : 0;
    until = new Date(now.getTime() + Math.min(LOCK_MAX_MS, LOCK_BASE_MS * 2 ** Math.min(strikes, 10)));
  } else {
    until = new Date(now.getTime() + how.forMs);
  }
  if (prev && prev.lockedUntil > until) until = prev.lockedUntil;
  await db
    .insert(smsLockout)
    .values({ ...key, lockedUntil: until, strikes, createdAt: now })
    .onConflictDoUpdate({ target: [smsLockout.phone, smsLockout.purpose, smsLockout.client], set: { lockedUntil: until, strikes, createdAt: now } });
  return until;
}

/**
 * Checks a code against the newest live code of the phone. Each wrong try is counted on the code
 * (the fifth kills it) and per phone and client across codes and purposes; past a limit the
 * phone's codes are locked (see OtpLimits). A right code is consumed exactly once. Serialised per
 * phone, so concurrent guesses cannot slip past a limit.
 */
export async function verifyCode(
  db: Database,
  opts: { phone: string; purpose: OtpPurpose; code: string; now: Date; pepper: string; ip: string | null; limits?: Partial<OtpLimits> },
): Promise<VerifyCodeResult> {
  const { phone, purpose, now } = opts;
  const limits: OtpLimits = { ...DEFAULT_OTP_LIMITS, ...opts.limits };
  const client = clientKey(opts.ip);
  return db.transaction(async (tx): Promise<VerifyCodeResult> => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`otp:${phone}`}))`);
    const lockedUntil = await activeLock(tx, phone, purpose, client, now);
    if (lockedUntil) return { ok: false, code: "locked", lockedUntil };
    const [latest] = await tx
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
      const consumed = await tx
        .update(smsCode)
        .set({ consumedAt: now })
        .where(and(eq(smsCode.id, latest.id), isNull(smsCode.consumedAt), sql`${smsCode.attempts} < ${MAX_ATTEMPTS}`))
        .returning({ id: smsCode.id });
      return consumed.length === 1 ? { ok: true } : { ok: false, code: "no_code" };
    }
    const [counted] = await tx
      .update(smsCode)
      .set({ attempts: sql`${smsCode.attempts} + 1` })
      .where(and(eq(smsCode.id, latest.id), isNull(smsCode.consumedAt), sql`${smsCode.attempts} < ${MAX_ATTEMPTS}`))
      .returning({ attempts: smsCode.attempts });
    if (!counted) return { ok: false, code: "too_many_attempts" };

    const dayAgo = new Date(now.getTime() - DAY_MS);
    const hourAgo = new Date(now.getTime() - HOUR_MS);
    await tx.delete(otpFailure).where(and(eq(otpFailure.phone, phone), lte(otpFailure.createdAt, dayAgo)));
    await tx.insert(otpFailure).values({ phone, client, purpose, createdAt: now });
    const [n] = await tx
      .select({
        client: sql<number>`count(*) filter (where ${otpFailure.client} = ${client} and ${otpFailure.createdAt} > ${hourAgo})::int`,
        purchase: sql<number>`count(*) filter (where ${otpFailure.purpose} = 'purchase' and ${otpFailure.createdAt} > ${hourAgo})::int`,
        phone: sql<number>`count(*)::int`,
      })
      .from(otpFailure)
      .where(and(eq(otpFailure.phone, phone), gt(otpFailure.createdAt, dayAgo)));
    let locked: Date | null = null;
    const later = (d: Date) => (locked = !locked || d > locked ? d : locked);
    if (purpose === "sign_in") {
      if (n!.client >= limits.clientFailuresPerHour) later(await lockKey(tx, { phone, purpose, client }, now, { grow: true }));
      if (n!.phone >= limits.phoneFailuresPerDay) later(await lockKey(tx, { phone, purpose, client: "" }, now, { forMs: DAY_MS }));
    } else if (n!.purchase >= limits.purchaseFailuresPerHour) {
      later(await lockKey(tx, { phone, purpose, client: "" }, now, { grow: true }));
    }
    if (locked) return { ok: false, code: "locked", lockedUntil: locked };
    const left = MAX_ATTEMPTS - counted.attempts;
    if (left <= 0) {
      if (purpose === "sign_in") await lockKey(tx, { phone, purpose, client }, now, { forMs: LOCKOUT_MS });
      return { ok: false, code: "too_many_attempts" };
    }
    return { ok: false, code: "invalid_code", attemptsLeft: left };
  });
}

/** Lifts every code lock of a phone and forgets its wrong tries (customer service). Returns whether one was active. */
export async function clearLockout(db: Database, { phone, now }: { phone: string; now: Date }): Promise<boolean> {
  const rows = await db.delete(smsLockout).where(eq(smsLockout.phone, phone)).returning({ lockedUntil: smsLockout.lockedUntil });
  await db.delete(otpFailure).where(eq(otpFailure.phone, phone));
  // Kill any half-tried codes so the user starts clean.
  await db
    .update(smsCode)
    .set({ consumedAt: now })
    .where(and(eq(smsCode.phone, phone), isNull(smsCode.consumedAt)));
  return rows.some((r) => r.lockedUntil > now);
}

/** The latest end of any active code lock of a phone (any client, any purpose). */
export async function getLockout(db: Database, { phone, now }: { phone: string; now: Date }): Promise<Date | null> {
  const [row] = await db
    .select({ until: max(smsLockout.lockedUntil) })
    .from(smsLockout)
    .where(and(eq(smsLockout.phone, phone), gt(smsLockout.lockedUntil, now)));
  return row?.until ? new Date(row.until) : null;
}
