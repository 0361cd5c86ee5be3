import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { smsCode, smsMessage } from "@/lib/db/schema";
import { consoleSender } from "@/lib/sms";
import { clearLockout, getLockout, requestCode, verifyCode, type OtpLimits } from "./otp";

// Guessing is bounded per phone across codes and purposes, sending per phone, per IP and in
// total, and a stranger cannot lock the owner out from elsewhere.

let db: Database;
let close: () => Promise<void>;
const pepper = "test-pepper-0123456789";
const phone = "13800138000";
const t0 = new Date("2026-11-23T10:00:00Z");
const at = (ms: number) => new Date(t0.getTime() + ms);
const MIN = 60_000;
const HOUR = 60 * MIN;

beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => close());

const send = (
  now: Date,
  o: { ip?: string; phone?: string; purpose?: "sign_in" | "purchase"; limits?: Partial<OtpLimits>; log?: (l: string) => void; demoMode?: boolean } = {},
) =>
  requestCode(db, {
    phone: o.phone ?? phone,
    purpose: o.purpose ?? "sign_in",
    ip: o.ip ?? "1.2.3.4",
    now,
    sender: consoleSender(db, o.log ?? (() => {}), { demoMode: o.demoMode ?? true }),
    pepper,
    limits: o.limits,
    codeOverride: "123456",
  });
const guess = (now: Date, code: string, o: { ip?: string; purpose?: "sign_in" | "purchase"; limits?: Partial<OtpLimits> } = {}) =>
  verifyCode(db, { phone, purpose: o.purpose ?? "sign_in", code, now, pepper, ip: o.ip ?? "1.2.3.4", limits: o.limits });

describe("wrong codes across codes", () => {
  it("an attacker taking 4 guesses per code and a new code every 61 s gets at most 10 guesses an hour, then is locked", async () => {
    let evaluated = 0;
    let t = 0;
    let lockedAt: number | null = null;
    for (let round = 0; round < 20 && lockedAt === null; round++) {
      const sent = await send(at(t), { limits: { phoneCodesPerHour: 100, phoneCodesPerDay: 100 } });
      if (!sent.ok) {
        expect(sent.code).toBe("locked");
        lockedAt = t;
        break;
      }
      for (let i = 0; i < 4; i++) {
        const r = await guess(at(t + 1000 + i), String(100000 + round * 10 + i));
        if (r.ok === false && r.code === "locked") {
          lockedAt = t;
          break;
        }
        expect(r).toMatchObject({ ok: false, code: "invalid_code" });
        evaluated++;
      }
      t += 61_000;
    }
    expect(evaluated).toBeLessThanOrEqual(10);
    expect(lockedAt).not.toBeNull();
    // Locked for about an hour: even the right code is refused, and no new code goes out.
    expect(await guess(at(t + 2000), "123456")).toMatchObject({ ok: false, code: "locked" });
    expect(await send(at(t + 30 * MIN), { limits: { phoneCodesPerHour: 100, phoneCodesPerDay: 100 } })).toMatchObject({ ok: false, code: "locked" });
  });

  it("a stranger's wrong codes lock only the stranger: the owner still signs in from elsewhere", async () => {
    for (let k = 0; k < 3; k++) {
      await send(at(k * 61_000), { ip: "6.6.6.6" });
      for (let i = 0; i < 4; i++) await guess(at(k * 61_000 + 1000 + i), "000000", { ip: "6.6.6.6" });
    }
    expect(await send(at(4 * MIN), { ip: "6.6.6.6" })).toMatchObject({ ok: false, code: "locked" });
    expect((await send(at(5 * MIN), { ip: "10.0.0.8" })).ok).toBe(true);
    expect(await guess(at(5 * MIN + 1000), "123456", { ip: "10.0.0.8" })).toEqual({ ok: true });
  });

  it("the phone-wide lock needs many more failures, from many clients", async () => {
    const limits = { phoneFailuresPerDay: 12, phoneCodesPerHour: 100, phoneCodesPerDay: 100 };
    const ips = ["6.6.6.1", "6.6.6.2", "6.6.6.3"];
    let last: Awaited<ReturnType<typeof guess>> | undefined;
    for (const [k, ip] of ips.entries()) {
      expect((await send(at(k * 61_000), { ip, limits })).ok).toBe(true);
      for (let i = 0; i < 4; i++) last = await guess(at(k * 61_000 + 1000 + i), "000000", { ip, limits });
    }
    expect(last).toMatchObject({ ok: false, code: "locked" });
    // Now every client is refused, the owner too, for a day.
    const r = await send(at(10 * MIN), { ip: "10.0.0.8", limits });
    expect(r).toMatchObject({ ok: false, code: "locked" });
    if (!r.ok && r.code === "locked") expect(r.lockedUntil.getTime()).toBeGreaterThanOrEqual(at(24 * HOUR).getTime());
    // Support lifts it and the tries are forgotten.
    expect(await clearLockout(db, { phone, now: at(11 * MIN) })).toBe(true);
    expect(await getLockout(db, { phone, now: at(11 * MIN) })).toBeNull();
    expect((await send(at(12 * MIN), { ip: "10.0.0.8", limits })).ok).toBe(true);
  });

  it("a repeat offender's lock grows", async () => {
    const limits = { phoneCodesPerHour: 100, phoneCodesPerDay: 100 };
    const lockFrom = async (start: number) => {
      for (let k = 0; k < 8; k++) {
        const s = await send(at(start + k * 61_000), { limits });
        if (!s.ok) throw new Error(`send refused: ${s.code}`);
        for (let i = 0; i < 4; i++) {
          const r = await guess(at(start + k * 61_000 + 1000 + i), "000000", { limits });
          if (!r.ok && r.code === "locked") return r.lockedUntil.getTime() - (start + k * 61_000 + 1000 + i) - t0.getTime();
        }
      }
      throw new Error("32 wrong codes and no lock");
    };
    const first = await lockFrom(0);
    expect(first).toBe(HOUR);
    const second = await lockFrom(first + 5 * MIN);
    expect(second).toBe(2 * HOUR);
  });

  it("purchase codes get the same per-user limit", async () => {
    const limits = { phoneCodesPerHour: 100, phoneCodesPerDay: 100 };
    let evaluated = 0;
    let locked = false;
    for (let k = 0; k < 6 && !locked; k++) {
      const s = await send(at(k * 61_000), { purpose: "purchase", limits });
      if (!s.ok) {
        locked = s.code === "locked";
        break;
      }
      for (let i = 0; i < 4; i++) {
        const r = await guess(at(k * 61_000 + 1000 + i), "000000", { purpose: "purchase", limits });
        if (!r.ok && r.code === "locked") {
          locked = true;
          break;
        }
        evaluated++;
      }
    }
    expect(locked).toBe(true);
    expect(evaluated).toBeLessThanOrEqual(10);
    expect(await send(at(20 * MIN), { purpose: "purchase", limits })).toMatchObject({ ok: false, code: "locked" });
  });
});

describe("SMS budget", () => {
  it("caps codes per phone per hour and per day", async () => {
    for (let k = 0; k < 5; k++) expect((await send(at(k * 61_000), { ip: `10.0.0.${k}` })).ok).toBe(true);
    expect(await send(at(5 * 61_000), { ip: "10.0.1.1" })).toEqual({ ok: false, code: "phone_limit" });
    // Next hour: five more, then the day is spent.
    for (let k = 0; k < 5; k++) expect((await send(at(HOUR + k * 61_000), { ip: `10.0.2.${k}` })).ok).toBe(true);
    expect(await send(at(3 * HOUR), { ip: "10.0.3.1" })).toEqual({ ok: false, code: "phone_limit" });
    expect((await send(at(24 * HOUR + 1000), { ip: "10.0.3.1" })).ok).toBe(true);
  });

  it("stops at the global hourly budget and sends nothing over it", async () => {
    const limits = { globalCodesPerHour: 3 };
    for (let k = 0; k < 3; k++) expect((await send(t0, { phone: `1390000100${k}`, ip: `10.0.0.${k}`, limits })).ok).toBe(true);
    expect(await send(t0, { phone: "13900001009", ip: "10.0.0.9", limits })).toEqual({ ok: false, code: "sms_budget" });
    expect(await db.select().from(smsMessage)).toHaveLength(3);
    expect(await db.select().from(smsCode).where(eq(smsCode.phone, "13900001009"))).toHaveLength(0);
    expect((await send(at(HOUR + 1), { phone: "13900001009", ip: "10.0.0.9", limits })).ok).toBe(true);
  });
});

describe("codes stay out of logs and tables outside demo mode", () => {
  it("logs and records the text with the code masked", async () => {
    const lines: string[] = [];
    expect((await send(t0, { log: (l) => lines.push(l), demoMode: false })).ok).toBe(true);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain("123456");
    const [msg] = await db.select().from(smsMessage);
    expect(msg!.body).not.toContain("123456");
    expect(msg!.body).toContain("******");
    // The code itself still works.
    expect(await guess(at(1000), "123456")).toEqual({ ok: true });
  });

  it("shows the code in demo mode (the dev inbox)", async () => {
    const lines: string[] = [];
    await send(t0, { log: (l) => lines.push(l), demoMode: true });
    expect(lines[0]).toContain("123456");
    const [msg] = await db.select().from(smsMessage);
    expect(msg!.body).toContain("123456");
  });
});
