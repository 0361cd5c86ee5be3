import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { eq, inArray, type SQL } from "drizzle-orm";
import { PgDialect } from "drizzle-orm/pg-core";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { apiKey, apiKeySpend, user } from "@/lib/db/schema";
import { createApiKey, listApiKeys, revokeApiKey } from "./keys";
import { parseKey, hashSecret } from "./secret";
import { KeyVerifier, defaultKeyVerifier } from "./verify";
import { KeySpendHold, recordKeySpend, reserveKeySpend, settleKeySpend } from "./spend";
import { RateLimiter, formatReset } from "./rate-limit";

let db: Database;
let close: () => Promise<void>;
const now = new Date("2026-11-20T10:00:00Z");
const cycle = "2026-11";

async function mkUser(phone: string): Promise<string> {
  const [u] = await db.insert(user).values({ phone }).returning();
  return u!.id;
}

beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => close());

describe("key text", () => {
  it("is ut- + id + secret, stored only as a hash, and parses back to its id", async () => {
    const uid = await mkUser("13800000101");
    const { key, text } = await createApiKey(db, { userId: uid, name: "cursor", now });
    expect(text).toMatch(/^ut-[0-9a-f]{32}[A-Za-z0-9_-]{32}$/);
    const parsed = parseKey(text)!;
    expect(parsed.id).toBe(key.id);
    const [row] = await db.select().from(apiKey).where(eq(apiKey.id, key.id));
    expect(row!.secretHash).toBe(hashSecret(parsed.secret));
    expect(JSON.stringify(row)).not.toContain(parsed.secret);
    expect(row!.hint).toBe(text.slice(-4));
  });

  it("rejects malformed keys", () => {
    expect(parseKey("sk-abc")).toBeNull();
    expect(parseKey("ut-" + "g".repeat(32) + "a".repeat(32))).toBeNull();
    expect(parseKey("ut-" + "a".repeat(32) + "a".repeat(31))).toBeNull();
  });

  it("validates name, cap and expiry", async () => {
    const uid = await mkUser("13800000102");
    await expect(createApiKey(db, { userId: uid, name: "  ", now })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(createApiKey(db, { userId: uid, name: "x", monthlyCapTokens: 0n, now })).rejects.toMatchObject({ code: "invalid_input" });
    await expect(createApiKey(db, { userId: uid, name: "x", expiresAt: new Date(now.getTime() - 1), now })).rejects.toMatchObject({ code: "invalid_input" });
  });
});

describe("verify", () => {
  it("accepts the key, rejects a wrong secret with the same id, and a revoke beats the cache", async () => {
    const uid = await mkUser("13800000103");
    const { key, text } = await createApiKey(db, { userId: uid, name: "k", models: ["a", "b"], monthlyCapTokens: 1000n, now });
    const v = await defaultKeyVerifier.verify(db, { text, now });
    expect(v).toMatchObject({ ok: true, key: { keyId: key.id, userId: uid, monthlyCapTokens: 1000n } });
    expect(v.ok && [...v.key.models!]).toEqual(["a", "b"]);
    const forged = text.slice(0, 35) + (text[35] === "A" ? "B" : "A") + text.slice(36);
    expect(await defaultKeyVerifier.verify(db, { text: forged, now })).toEqual({ ok: false, code: "invalid_api_key" });
    // The genuine secret still passes after a forged one (the cache keeps what it proved).
    expect(await defaultKeyVerifier.verify(db, { text, now })).toMatchObject({ ok: true });
    expect(await defaultKeyVerifier.verify(db, { text: text.slice(0, -1) + (text.endsWith("x") ? "y" : "x"), now })).toEqual({
      ok: false,
      code: "invalid_api_key",
    });
    await revokeApiKey(db, { userId: uid, keyId: key.id, now });
    expect(await defaultKeyVerifier.verify(db, { text, now })).toEqual({ ok: false, code: "key_revoked" });
  });

  it("another process's cache notices a revoke within its TTL", async () => {
    const uid = await mkUser("13800000104");
    const { key, text } = await createApiKey(db, { userId: uid, name: "k", now });
    const other = new KeyVerifier({ ttlMs: 30 });
    expect((await other.verify(db, { text, now })).ok).toBe(true);
    await db.update(apiKey).set({ revokedAt: now }).where(eq(apiKey.id, key.id));
    // Within the TTL the cached entry may still pass, but spending re-checks in the database.
    expect(await reserveKeySpend(db, { keyId: key.id, cycle, amount: 1n, now })).toEqual({ ok: false, code: "key_revoked" });
    await new Promise((r) => setTimeout(r, 40));
    expect(await other.verify(db, { text, now })).toEqual({ ok: false, code: "key_revoked" });
  });

  it("a re-read row keeps its proof only while its hash is the same, and reloads of one turn are read together", async () => {
    const uid = await mkUser("13800000108");
    const a = await createApiKey(db, { userId: uid, name: "a", now });
    const b = await createApiKey(db, { userId: uid, name: "b", now });
    const v = new KeyVerifier({ ttlMs: 2_000 });
    expect((await v.verify(db, { text: a.text, now })).ok).toBe(true);
    expect((await v.verify(db, { text: b.text, now })).ok).toBe(true);
    // Past half their life both are reloaded in the background, after this turn, together.
    await new Promise((r) => setTimeout(r, 1_050));
    await db.update(apiKey).set({ revokedAt: now }).where(eq(apiKey.id, a.key.id));
    const rotated = "R".repeat(32);
    await db
      .update(apiKey)
      .set({ secretHash: hashSecret(rotated) })
      .where(eq(apiKey.id, b.key.id));
    const [ra, rb] = await Promise.all([v.verify(db, { text: a.text, now }), v.verify(db, { text: b.text, now })]);
    expect(ra.ok && rb.ok).toBe(true);
    // Well within the entries' life, the reloaded rows are what the cache answers with.
    let seen = await v.verify(db, { text: a.text, now });
    for (let i = 0; i < 80 && seen.ok; i++) {
      await new Promise((r) => setTimeout(r, 10));
      seen = await v.verify(db, { text: a.text, now });
    }
    expect(seen).toEqual({ ok: false, code: "key_revoked" });
    // b's stored hash changed: the secret proven against the old hash is checked afresh, and refused.
    expect(await v.verify(db, { text: b.text, now })).toEqual({ ok: false, code: "invalid_api_key" });
    const prefix = b.text.slice(0, b.text.length - 32);
    expect(await v.verify(db, { text: prefix + rotated, now })).toMatchObject({ ok: true, key: { keyId: b.key.id } });
  });

  it("verifyCached answers a cached key without waiting, as verify would, and nothing for a key it has not read", async () => {
    const uid = await mkUser("13800000109");
    const { key, text } = await createApiKey(db, { userId: uid, name: "k", now });
    const v = new KeyVerifier({ ttlMs: 5_000 });
    expect(v.verifyCached(db, { text, now })).toBeUndefined();
    expect(v.verifyCached(db, { text: "ut-nonsense", now })).toEqual({ ok: false, code: "invalid_api_key" });
    const full = await v.verify(db, { text, now });
    expect(v.verifyCached(db, { text, now })).toEqual(full);
    expect(full).toMatchObject({ ok: true, key: { keyId: key.id } });
    const forged = text.slice(0, 35) + (text[35] === "A" ? "B" : "A") + text.slice(36);
    expect(v.verifyCached(db, { text: forged, now })).toEqual({ ok: false, code: "invalid_api_key" });
    expect(v.verifyCached(db, { text, now: new Date(now.getTime() + 1) })).toMatchObject({ ok: true });
    v.invalidate(key.id);
    expect(v.verifyCached(db, { text, now })).toBeUndefined();
  });

  it("expired keys are refused", async () => {
    const uid = await mkUser("13800000105");
    const { key, text } = await createApiKey(db, { userId: uid, name: "k", expiresAt: new Date(now.getTime() + 1000), now });
    const later = new Date(now.getTime() + 2000);
    expect(await new KeyVerifier({ ttlMs: 0 }).verify(db, { text, now: later })).toEqual({ ok: false, code: "key_expired" });
    expect(await reserveKeySpend(db, { keyId: key.id, cycle, amount: 1n, now: later })).toEqual({ ok: false, code: "key_expired" });
  });
});

describe("isolation", () => {
  it("a user lists only their own keys and cannot revoke someone else's", async () => {
    const a = await mkUser("13800000106");
    const b = await mkUser("13800000107");
    const { key: ka } = await createApiKey(db, { userId: a, name: "a's key", now });
    await createApiKey(db, { userId: b, name: "b's key", now });
    expect((await listApiKeys(db, { userId: a, now })).map((k) => k.name)).toEqual(["a's key"]);
    await expect(revokeApiKey(db, { userId: b, keyId: ka.id, now })).rejects.toMatchObject({ code: "not_found" });
    expect((await listApiKeys(db, { userId: a, now }))[0]!.status).toBe("active");
  });
});

describe("monthly cap", () => {
  it("holds used + held within the cap and moves the charge to used on settle", async () => {
    const uid = await mkUser("13800000108");
    const { key } = await createApiKey(db, { userId: uid, name: "k", monthlyCapTokens: 100n, now });
    const h1 = new KeySpendHold(db, { keyId: key.id, cycle, now: () => now, capped: true });
    expect(await h1.reserve(60n)).toEqual({ ok: true });
    const h2 = new KeySpendHold(db, { keyId: key.id, cycle, now: () => now, capped: true });
    expect(await h2.reserve(50n)).toEqual({ ok: false, code: "key_cap_reached" });
    await h1.settle(30n, 60n);
    await h1.settle(30n, 60n); // resolves once
    const h3 = new KeySpendHold(db, { keyId: key.id, cycle, now: () => now, capped: true });
    expect(await h3.reserve(70n)).toEqual({ ok: true });
    await h3.release();
    const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, key.id));
    expect(s).toMatchObject({ used: 30n, held: 0n, requests: 2n });
    const [listed] = await listApiKeys(db, { userId: uid, now });
    expect(listed).toMatchObject({ usedThisCycle: 30n, heldThisCycle: 0n });
    expect(listed!.lastUsedAt?.toISOString()).toBe(now.toISOString());
  });

  it("a first reservation above the cap is refused and a new cycle starts fresh", async () => {
    const uid = await mkUser("13800000109");
    const { key } = await createApiKey(db, { userId: uid, name: "k", monthlyCapTokens: 100n, now });
    expect(await reserveKeySpend(db, { keyId: key.id, cycle, amount: 101n, now })).toEqual({ ok: false, code: "key_cap_reached" });
    expect(await reserveKeySpend(db, { keyId: key.id, cycle, amount: 100n, now })).toEqual({ ok: true });
    await settleKeySpend(db, { keyId: key.id, cycle, held: 100n, charged: 100n, now });
    expect(await reserveKeySpend(db, { keyId: key.id, cycle, amount: 1n, now })).toEqual({ ok: false, code: "key_cap_reached" });
    expect(await reserveKeySpend(db, { keyId: key.id, cycle: "2026-12", amount: 1n, now })).toEqual({ ok: true });
  });

  it("concurrent reservations never exceed the cap", async () => {
    const uid = await mkUser("13800000110");
    const { key } = await createApiKey(db, { userId: uid, name: "k", monthlyCapTokens: 1000n, now });
    const results = await Promise.all(Array.from({ length: 30 }, () => reserveKeySpend(db, { keyId: key.id, cycle, amount: 70n, now })));
    expect(results.filter((r) => r.ok)).toHaveLength(14);
    const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, key.id));
    expect(s!.held).toBe(980n);
  });
});

describe("uncapped keys", () => {
  it("write nothing before the model call and record the spend after settling", async () => {
    const uid = await mkUser("13800000111");
    const { key } = await createApiKey(db, { userId: uid, name: "k", now });
    const h = new KeySpendHold(db, { keyId: key.id, cycle, now: () => now, capped: false });
    expect(await h.reserve(500n)).toEqual({ ok: true });
    expect(await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, key.id))).toHaveLength(0);
    await h.settle(120n, 500n);
    const refused = new KeySpendHold(db, { keyId: key.id, cycle, now: () => now, capped: false });
    await refused.reserve(500n);
    await refused.release(); // the wallet refused it: not a request
    const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, key.id));
    expect(s).toMatchObject({ used: 120n, held: 0n, requests: 1n });
  });
});

describe("uncapped spend under concurrency", () => {
  it("sums parallel records into few writes and loses none", async () => {
    const uid = await mkUser("13800000112");
    const { key } = await createApiKey(db, { userId: uid, name: "k", now });
    await Promise.all(Array.from({ length: 50 }, (_, i) => recordKeySpend(db, { keyId: key.id, cycle, charged: BigInt(i + 1), now })));
    const [s] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, key.id));
    expect(s).toMatchObject({ used: 1275n, requests: 50n, held: 0n });
  });

  it("records of many keys (and cycles) in flight together go out in one statement; each key's sum and last use are its own", async () => {
    const uid = await mkUser("13800000113");
    const keys = await Promise.all(["a", "b", "c"].map((name) => createApiKey(db, { userId: uid, name, now })));
    const statements: string[] = [];
    const execute = db.execute.bind(db);
    const dialect = new PgDialect();
    vi.spyOn(db, "execute").mockImplementation(((q: SQL) => (statements.push(dialect.sqlToQuery(q).sql), execute(q))) as typeof db.execute);
    const later = new Date(now.getTime() + 60_000);
    const first = recordKeySpend(db, { keyId: keys[0]!.key.id, cycle, charged: 1n, now });
    const rest = [
      recordKeySpend(db, { keyId: keys[0]!.key.id, cycle, charged: 10n, now: later }),
      recordKeySpend(db, { keyId: keys[1]!.key.id, cycle, charged: 20n, now }),
      recordKeySpend(db, { keyId: keys[1]!.key.id, cycle: "2099-01", charged: 5n, now }),
      // A refused request of an uncapped key counts as a request, and leaves the last use alone.
      recordKeySpend(db, { keyId: keys[2]!.key.id, cycle, charged: 0n, now }),
    ];
    await Promise.all([first, ...rest]);
    vi.restoreAllMocks();
    expect(statements.filter((q) => q.includes("api_key_spend"))).toHaveLength(2);
    const spends = await db
      .select()
      .from(apiKeySpend)
      .where(
        inArray(
          apiKeySpend.apiKeyId,
          keys.map((k) => k.key.id),
        ),
      );
    const of = (i: number, c = cycle) => spends.find((x) => x.apiKeyId === keys[i]!.key.id && x.cycle === c);
    expect(of(0)).toMatchObject({ used: 11n, requests: 2n });
    expect(of(1)).toMatchObject({ used: 20n, requests: 1n });
    expect(of(1, "2099-01")).toMatchObject({ used: 5n, requests: 1n });
    expect(of(2)).toMatchObject({ used: 0n, requests: 1n });
    const rows = await db
      .select({ id: apiKey.id, lastUsedAt: apiKey.lastUsedAt })
      .from(apiKey)
      .where(
        inArray(
          apiKey.id,
          keys.map((k) => k.key.id),
        ),
      );
    const last = (i: number) => rows.find((r) => r.id === keys[i]!.key.id)!.lastUsedAt;
    expect(last(0)!.getTime()).toBe(later.getTime());
    expect(last(1)!.getTime()).toBe(now.getTime());
    expect(last(2)).toBeNull();
  });
});

describe("rate limiter", () => {
  it("allows the limit, then refuses until tokens refill", () => {
    const rl = new RateLimiter({ limit: 3, windowMs: 3000 });
    const t = 1_000_000;
    expect([rl.take("k", t).ok, rl.take("k", t).ok, rl.take("k", t).ok]).toEqual([true, true, true]);
    const refused = rl.take("k", t);
    expect(refused).toMatchObject({ ok: false, remaining: 0, limit: 3 });
    expect(refused.retryAfterMs).toBe(1000);
    expect(rl.take("other", t).ok).toBe(true);
    expect(rl.take("k", t + 1000).ok).toBe(true);
    expect(formatReset(250)).toBe("250ms");
    expect(formatReset(1500)).toBe("2s");
    expect(formatReset(61_000)).toBe("1m1s");
  });
});
