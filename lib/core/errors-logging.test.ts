import { afterEach, describe, expect, it, vi } from "vitest";
import { inspect } from "node:util";
import { sql } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import { smsMessage } from "@/lib/db/schema";
import { describeError, toFailure } from "./errors";

afterEach(() => vi.restoreAllMocks());

const logged = (spy: { mock: { calls: unknown[][] } }) =>
  spy.mock.calls.map((c) => c.map((a) => (typeof a === "string" ? a : inspect(a, { depth: 10 }))).join(" ")).join("\n");

describe("database errors in the log", () => {
  it("are logged without parameters, query or message text", async () => {
    const { db, close } = await createTestDb();
    try {
      const err = await db
        .insert(smsMessage)
        .values({ phone: "13812345678", body: "验证码 482913", kind: sql`${"kind 482913"}::int` as unknown as string })
        .then(
          () => null,
          (e: unknown) => e,
        );
      expect(err).not.toBeNull();
      const spy = vi.spyOn(console, "error").mockImplementation(() => {});
      expect(toFailure(err)).toEqual({ ok: false, code: "internal" });
      const out = logged(spy);
      expect(out).not.toContain("13812345678");
      expect(out).not.toContain("482913");
      expect(out).not.toMatch(/insert into/i);
      // Still says what kind of failure it was.
      expect(out).toContain("22P02");
    } finally {
      await close();
    }
  });

  it("keeps the message of an ordinary bug", () => {
    expect(describeError(new TypeError("x is not a function"))).toMatchObject({ name: "TypeError", message: "x is not a function" });
  });
});
