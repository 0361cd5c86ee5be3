import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { smsCode, smsMessage } from "@/lib/db/schema";
import { consoleSender } from "@/lib/sms";
import { requestCode, verifyCode } from "./otp";

// What only real PostgreSQL and real concurrency can show: budgets and guess limits hold when
// many requests arrive at once.

let h: DbHandle;
const pepper = "test-pepper-0123456789";
const now = new Date();
const phone = () => `13${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;
const ip = () => `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;

beforeAll(async () => {
  h = await createPgTestDb({ max: 20 });
});
afterAll(async () => h?.close());

const send = (o: { phone: string; ip: string; ipHourlyLimit?: number; limits?: Record<string, number> }) =>
  requestCode(h.db, {
    phone: o.phone,
    purpose: "sign_in",
    ip: o.ip,
    now,
    sender: consoleSender(h.db, () => {}),
    pepper,
    ipHourlyLimit: o.ipHourlyLimit,
    limits: o.limits,
    codeOverride: "123456",
  });

describe("OTP limits on PostgreSQL", () => {
  it("16 requests at once against a global budget of 5 send exactly 5 texts", async () => {
    const phones = Array.from({ length: 16 }, phone);
    const results = await Promise.all(phones.map((p) => send({ phone: p, ip: ip(), limits: { globalCodesPerHour: 5 } })));
    expect(results.filter((r) => r.ok)).toHaveLength(5);
    expect(results.filter((r) => !r.ok && r.code === "sms_budget")).toHaveLength(11);
    const [{ n }] = await h.db.select({ n: sql<number>`count(*)::int` }).from(smsMessage);
    expect(n).toBe(5);
  });

  it("12 requests at once from one IP against a cap of 3 send exactly 3 texts", async () => {
    const from = ip();
    const results = await Promise.all(
      Array.from({ length: 12 }, () => send({ phone: phone(), ip: from, ipHourlyLimit: 3, limits: { globalCodesPerHour: 10_000 } })),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(3);
    const [{ n }] = await h.db.select({ n: sql<number>`count(*)::int` }).from(smsCode).where(eq(smsCode.ip, from));
    expect(n).toBe(3);
  });

  it("10 wrong guesses at once from 10 clients are cut at the phone-wide limit of 3", async () => {
    const p = phone();
    expect((await send({ phone: p, ip: ip(), limits: { globalCodesPerHour: 10_000 } })).ok).toBe(true);
    const limits = { phoneFailuresPerDay: 3 };
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        verifyCode(h.db, { phone: p, purpose: "sign_in", code: String(100000 + i), now: new Date(now.getTime() + 1000), pepper, ip: ip(), limits }),
      ),
    );
    const [code] = await h.db.select().from(smsCode).where(eq(smsCode.phone, p));
    // Only three guesses were ever compared with the code; the rest met the lock.
    expect(code!.attempts).toBe(3);
    expect(results.filter((r) => !r.ok && r.code === "invalid_code")).toHaveLength(2);
    expect(results.filter((r) => !r.ok && r.code === "locked")).toHaveLength(8);
  });
});
