import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { hold, usage } from "@/lib/db/schema";
import { getBalance, reconcileLedger } from "@/lib/ledger";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { PgWindowLimiter, RateAdmission, type RateDecision, type RequestRateLimiter } from "@/lib/apikeys/rate-limit";
import { client, testGateway, userWithKey } from "@/lib/testing/gateway-harness";

/*
 * A shared limiter's answer may overlap the upstream call (RateAdmission): the decision stays
 * exact, a key this instance has not seen waits for it, and a request that went early and is
 * refused gets a 429 with the headers, no text and no charge.
 */

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
const fast = { "x-demo-ttft-ms": "30", "x-demo-tps": "0" };
beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await server.close();
  await close();
});

/** A limiter whose requests are held back until released, to see what waits for them. */
function gatedLimiter(inner: RequestRateLimiter) {
  const waiting: (() => void)[] = [];
  let gate = false;
  const limiter: RequestRateLimiter = {
    get limit() {
      return inner.limit;
    },
    async take(key: string): Promise<RateDecision> {
      // Held before it counts: as if its round trip were slow to reach the shared store.
      if (gate) await new Promise<void>((r) => waiting.push(r));
      return inner.take(key);
    },
  };
  return { limiter, hold: () => void (gate = true), release: () => waiting.splice(0).forEach((r) => r()) };
}

/** One short chat request through the SDK: its status, text or error code, and rate headers. */
function askChat(gw: ReturnType<typeof testGateway>, apiKey: string, model = "deepseek-chat") {
  return client(gw, apiKey, fast)
    .chat.completions.create({ model, messages: [{ role: "user", content: "你好" }], max_tokens: 20 })
    .withResponse()
    .then(
      ({ data, response }) => ({ status: 200, text: data.choices[0]!.message.content, remaining: response.headers.get("x-ratelimit-remaining-requests") }),
      (e: { status: number; code: string; headers: Headers }) => ({
        status: e.status,
        code: e.code,
        remaining: e.headers.get("x-ratelimit-remaining-requests"),
        retryAfter: e.headers.get("retry-after"),
      }),
    );
}

describe("RateAdmission", () => {
  it("lets a key go early only with room seen here, keeping half of it for other instances", async () => {
    const limiter = new PgWindowLimiter(() => db, { limit: 6, windowMs: 60_000, prefix: "adm" });
    const adm = new RateAdmission(limiter);
    const first = adm.begin("k");
    expect(first.early).toBe(false); // never seen here
    expect((await first.decision).remaining).toBe(5);
    // Room 5: two may wait early at once (5 / 2), a third waits for its answer.
    const a = adm.begin("k");
    const b = adm.begin("k");
    const c = adm.begin("k");
    expect([a.early, b.early, c.early]).toEqual([true, true, false]);
    await Promise.all([a.decision, b.decision, c.decision]);
    // Room 2 left: one early; room 1: none.
    const d = adm.begin("k");
    expect(d.early).toBe(true);
    expect((await d.decision).remaining).toBe(1);
    const e = adm.begin("k");
    expect(e.early).toBe(false);
    expect(await e.decision).toMatchObject({ ok: true, remaining: 0 });
    expect(adm.begin("k").early).toBe(false);
  });
});

describe("a chat request that went early", () => {
  it("is refused with 429 and the x-ratelimit headers, no text and no charge, when another instance used the room", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: "13900077001", tokens: 5_000_000n, now });
    const shared = () => new PgWindowLimiter(() => db, { limit: 4, windowMs: 60_000 });
    const g = gatedLimiter(shared());
    const here = testGateway(db, server.baseUrl, { limiter: g.limiter, verifier: undefined });
    const there = testGateway(db, server.baseUrl, { limiter: shared() });
    const ask = (gw: ReturnType<typeof testGateway>) => askChat(gw, u.apiKey);
    // Seen here once (3 left): the next one may go early.
    expect(await ask(here)).toMatchObject({ status: 200, remaining: "3" });
    const before = await getBalance(db, { walletId: u.walletId, now: new Date() });
    const holdsBefore = (await db.select().from(hold).where(eq(hold.walletId, u.walletId))).length;
    g.hold();
    const early = ask(here);
    // Its answer is held back; meanwhile the other instance takes the rest of the window.
    await new Promise((r) => setTimeout(r, 100));
    for (let i = 0; i < 3; i++) expect((await ask(there)).status).toBe(200);
    g.release();
    expect(await early).toMatchObject({ status: 429, code: "rate_limit_exceeded", remaining: "0" });
    expect(Number(((await early) as { retryAfter: string }).retryAfter)).toBeGreaterThan(0);
    // Nothing held or charged for it: the balance moved by the other instance's three replies only.
    const rows = await db.select().from(usage).where(eq(usage.userId, u.userId));
    expect(rows).toHaveLength(4);
    const charged = rows.slice(1).reduce((s, r) => s + r.planTokens, 0n);
    const after = await getBalance(db, { walletId: u.walletId, now: new Date() });
    expect(before.available - after.available).toBe(charged);
    expect((await db.select().from(hold).where(eq(hold.walletId, u.walletId))).length).toBe(holdsBefore + 3);
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });
});

/** A shared limiter whose own counts (take) are counted, to tell them from counts made by a hold's call. */
function takesCounted(inner: PgWindowLimiter) {
  const out = { takes: 0, limiter: undefined as unknown as RequestRateLimiter };
  out.limiter = {
    get limit() {
      return inner.limit;
    },
    take: (k) => (out.takes++, inner.take(k)),
    countIn: (k) => inner.countIn(k),
    decide: (r) => inner.decide(r),
  };
  return out;
}

describe("a key without a cap that goes early", () => {
  const count = async (keyId: string) =>
    Number(
      ((await db.execute(sql`select count from rate_limit_window where key = ${`key:${keyId}`}`)) as unknown as { rows: { count: number }[] }).rows[0]?.count ??
        0,
    );

  it("is counted once, by the hold's own call: the headers say so, and a refusal there holds nothing", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: "13900077002", tokens: 5_000_000n, now });
    const shared = () => new PgWindowLimiter(() => db, { limit: 4, windowMs: 60_000 });
    const counting = takesCounted(shared());
    const here = testGateway(db, server.baseUrl, { limiter: counting.limiter });
    const takes = () => counting.takes;
    const there = testGateway(db, server.baseUrl, { limiter: shared() });
    const ask = (gw: ReturnType<typeof testGateway>, model?: string) => askChat(gw, u.apiKey, model);
    // Never seen here: counted on its own first.
    expect(await ask(here)).toMatchObject({ status: 200, remaining: "3" });
    expect(takes()).toBe(1);
    // Room 3 seen here: this one goes early and its hold's call counts it (no take of its own).
    expect(await ask(here)).toMatchObject({ status: 200, remaining: "2" });
    expect(takes()).toBe(1);
    expect(await count(u.keyId)).toBe(2);
    // A request that ends before any hold is still counted, once, on its own.
    expect(await ask(here, "no-such-model")).toMatchObject({ status: 404, remaining: "1" });
    expect(takes()).toBe(2);
    expect(await count(u.keyId)).toBe(3);

    // The other instance takes the last of the window; this one still believes there is room.
    expect((await ask(there)).status).toBe(200);
    expect(await ask(there)).toMatchObject({ status: 429, remaining: "0" });
    const holdsBefore = (await db.select().from(hold).where(eq(hold.walletId, u.walletId))).length;
    const before = await getBalance(db, { walletId: u.walletId, now: new Date() });
    const refusedEarly = await ask(here);
    // Not early now (its last answer left 1 of room): the count comes first, on its own.
    expect(refusedEarly).toMatchObject({ status: 429, code: "rate_limit_exceeded", remaining: "0" });
    expect((await db.select().from(hold).where(eq(hold.walletId, u.walletId))).length).toBe(holdsBefore);
    expect((await getBalance(db, { walletId: u.walletId, now: new Date() })).available).toBe(before.available);
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("refused by the hold's call: 429 with the headers, no text, nothing held or charged", async () => {
    const now = new Date();
    const u = await userWithKey(db, { phone: "13900077003", tokens: 5_000_000n, now });
    const shared = () => new PgWindowLimiter(() => db, { limit: 8, windowMs: 60_000 });
    const counting = takesCounted(shared());
    const here = testGateway(db, server.baseUrl, { limiter: counting.limiter });
    const there = testGateway(db, server.baseUrl, { limiter: shared() });
    const ask = (gw: ReturnType<typeof testGateway>) => askChat(gw, u.apiKey);
    // Seen here with 7 left; the other instance then takes all 7.
    expect(await ask(here)).toMatchObject({ status: 200, remaining: "7" });
    for (let i = 0; i < 7; i++) expect((await ask(there)).status).toBe(200);
    const holdsBefore = (await db.select().from(hold).where(eq(hold.walletId, u.walletId))).length;
    const before = await getBalance(db, { walletId: u.walletId, now: new Date() });
    // Early here (room 7 as last seen): counted 9 of 8 in the hold's call, which holds nothing.
    const r = await ask(here);
    expect(r).toMatchObject({ status: 429, code: "rate_limit_exceeded", remaining: "0" });
    expect(Number((r as { retryAfter: string }).retryAfter)).toBeGreaterThan(0);
    expect(await count(u.keyId)).toBe(9);
    expect(counting.takes).toBe(1);
    expect((await db.select().from(hold).where(eq(hold.walletId, u.walletId))).length).toBe(holdsBefore);
    expect((await getBalance(db, { walletId: u.walletId, now: new Date() })).available).toBe(before.available);
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });
});
