import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { smsCode, smsMessage } from "@/lib/db/schema";
import { consoleSender } from "@/lib/sms";
import { clearLockout, requestCode, verifyCode } from "./otp";
import { phoneSchema } from "./phone";
import { createSession, findOrCreateUser, getSessionUser, revokeAllSessions } from "./accounts";

let db: Database;
let close: () => Promise<void>;
const pepper = "test-pepper-0123456789";
const phone = "13800138000";
const t0 = new Date("2026-11-23T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);

beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => close());

const send = (now: Date, extra: Partial<Parameters<typeof requestCode>[1]> = {}) =>
  requestCode(db, {
    phone,
    purpose: "sign_in",
    ip: "1.2.3.4",
    now,
    sender: consoleSender(db, () => {}, { demoMode: true }),
    pepper,
    ipHourlyLimit: 3,
    codeOverride: "123456",
    ...extra,
  });

describe("phone numbers", () => {
  it("accepts mainland mobiles and normalises +86", () => {
    expect(phoneSchema.parse("+86 138 0013 8000")).toBe("13800138000");
    expect(phoneSchema.safeParse("12800138000").success).toBe(false);
    expect(phoneSchema.safeParse("1380013800").success).toBe(false);
    expect(phoneSchema.safeParse("23800138000").success).toBe(false);
  });
});

describe("one-time codes", () => {
  it("sends a code that is stored hashed and shows in the outbox", async () => {
    expect((await send(t0)).ok).toBe(true);
    const [row] = await db.select().from(smsCode);
    expect(row.codeHash).not.toContain("123456");
    const [msg] = await db.select().from(smsMessage);
    expect(msg.body).toContain("123456");
  });

  it("a text that cannot be delivered is a clear sms_unavailable, not an internal error", async () => {
    const failing = { send: async () => Promise.reject(new Error("SMS endpoint answered 503")) };
    const errors: unknown[] = [];
    const orig = console.error;
    console.error = (...a: unknown[]) => void errors.push(a);
    try {
      expect(await send(t0, { sender: failing })).toEqual({ ok: false, code: "sms_unavailable" });
    } finally {
      console.error = orig;
    }
    expect(JSON.stringify(errors)).toContain("503");
    expect(JSON.stringify(errors)).not.toContain("123456");
  });

  it("verifies once and only once", async () => {
    await send(t0);
    expect(await verifyCode(db, { phone, purpose: "sign_in", code: "123456", now: at(1000), pepper, ip: "1.2.3.4" })).toEqual({ ok: true });
    expect((await verifyCode(db, { phone, purpose: "sign_in", code: "123456", now: at(2000), pepper, ip: "1.2.3.4" })).ok).toBe(false);
  });

  it("expires after five minutes", async () => {
    await send(t0);
    expect(await verifyCode(db, { phone, purpose: "sign_in", code: "123456", now: at(5 * 60_000 + 1), pepper, ip: "1.2.3.4" })).toEqual({
      ok: false,
      code: "code_expired",
    });
  });

  it("kills the code on the fifth wrong try and locks sign-in until cleared", async () => {
    await send(t0);
    for (let i = 4; i >= 1; i--) {
      expect(await verifyCode(db, { phone, purpose: "sign_in", code: "000000", now: at(1000), pepper, ip: "1.2.3.4" })).toEqual({
        ok: false,
        code: "invalid_code",
        attemptsLeft: i,
      });
    }
    expect(await verifyCode(db, { phone, purpose: "sign_in", code: "000000", now: at(1000), pepper, ip: "1.2.3.4" })).toEqual({
      ok: false,
      code: "too_many_attempts",
    });
    const right = await verifyCode(db, { phone, purpose: "sign_in", code: "123456", now: at(1000), pepper, ip: "1.2.3.4" });
    expect(right.ok).toBe(false);
    expect((await send(at(120_000))).ok).toBe(false);
    expect(await clearLockout(db, { phone, now: at(120_000) })).toBe(true);
    expect((await send(at(121_000))).ok).toBe(true);
  });

  it("allows one send per 60 s per phone", async () => {
    expect((await send(t0)).ok).toBe(true);
    expect(await send(at(30_000))).toEqual({ ok: false, code: "too_soon", retryAfterSeconds: 30 });
    expect((await send(at(60_000))).ok).toBe(true);
  });

  it("caps sends per IP per hour", async () => {
    for (let i = 0; i < 3; i++) expect((await send(t0, { phone: `1380000000${i}` })).ok).toBe(true);
    expect(await send(t0, { phone: "13800000009" })).toEqual({ ok: false, code: "ip_limit" });
    expect((await send(at(3_600_001), { phone: "13800000009" })).ok).toBe(true);
  });
});

describe("accounts and sessions", () => {
  it("creates an account once and provisions it once", async () => {
    let provisioned = 0;
    const onNewUser = async () => void provisioned++;
    const a = await findOrCreateUser(db, { phone, now: t0, onNewUser });
    const b = await findOrCreateUser(db, { phone, now: t0, onNewUser });
    expect(a.created).toBe(true);
    expect(b.created).toBe(false);
    expect(b.user.id).toBe(a.user.id);
    expect(provisioned).toBe(1);
  });

  it("revokes sessions everywhere", async () => {
    const { user } = await findOrCreateUser(db, { phone, now: t0 });
    const s1 = await createSession(db, { userId: user.id, now: t0 });
    const s2 = await createSession(db, { userId: user.id, now: t0 });
    expect(s1).not.toBe(s2);
    expect((await getSessionUser(db, { sessionId: s1, now: t0 }))?.id).toBe(user.id);
    expect(await revokeAllSessions(db, { userId: user.id, now: t0 })).toBe(2);
    expect(await getSessionUser(db, { sessionId: s2, now: t0 })).toBeNull();
  });
});
