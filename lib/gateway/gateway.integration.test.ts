import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { apiKeySpend, usage } from "@/lib/db/schema";
import { getBalance, reconcileLedger } from "@/lib/ledger";
import { flushAfterSettle } from "@/lib/completion";
import { countChatTokens, countTokens, holdFor } from "@/lib/metering";
import { getModel } from "@/lib/catalog";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { client, testGateway, userWithKey } from "@/lib/testing/gateway-harness";

// The same gateway on real PostgreSQL through the Neon driver: real concurrency for the cap.
let server: RunningServer;
let h: DbHandle & { url: string };
const fast = { "x-demo-ttft-ms": "0", "x-demo-tps": "0" };
const MODEL = "deepseek-chat";

beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  h = await createPgTestDb({ max: 30 });
});
afterAll(async () => {
  // Post-settle notifications run off the request path; let them finish before dropping the db.
  await flushAfterSettle();
  await h?.close();
  await server?.close();
});

describe("gateway on PostgreSQL", () => {
  it("streams with usage and the ledger reconciles", async () => {
    const now = new Date();
    const u = await userWithKey(h.db, { phone: "13900002001", tokens: 5_000_000n, now });
    const gw = testGateway(h.db, server.baseUrl);
    const before = await getBalance(h.db, { walletId: u.walletId, now });
    const stream = await client(gw, u.apiKey, fast).chat.completions.create({
      model: MODEL,
      messages: [{ role: "user", content: "hello" }],
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 50,
    });
    let text = "";
    let reported = 0;
    for await (const c of stream) {
      text += c.choices[0]?.delta.content ?? "";
      if (c.usage) reported = c.usage.completion_tokens;
    }
    expect(reported).toBe(countTokens(text));
    const [row] = await h.db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    const after = await getBalance(h.db, { walletId: u.walletId, now });
    expect(before.total - after.total).toBe(row!.planTokens);
    expect((await reconcileLedger(h.db)).ok).toBe(true);
  });

  it("40 concurrent requests on one capped key never take the key past its cap", async () => {
    const now = new Date();
    const msgs = [{ role: "user" as const, content: "hi" }];
    const hold = holdFor({ promptTokens: countChatTokens(msgs), maxOutputTokens: 30, weights: getModel(MODEL)!.weights });
    const cap = hold * 7n + hold / 3n;
    const u = await userWithKey(h.db, { phone: "13900002002", tokens: 50_000_000n, now, key: { monthlyCapTokens: cap } });
    const gw = testGateway(h.db, server.baseUrl);
    const c = client(gw, u.apiKey, { "x-demo-ttft-ms": "50", "x-demo-tps": "0" });
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => c.chat.completions.create({ model: MODEL, messages: msgs, max_tokens: 30 })));
    const ok = results.filter((r) => r.status === "fulfilled").length;
    const refused = results.filter((r) => r.status === "rejected" && (r.reason as { code?: string }).code === "insufficient_quota").length;
    expect(ok + refused).toBe(40);
    // All 40 were in flight together, so at most cap / hold could hold at once.
    expect(ok).toBeLessThanOrEqual(7);
    expect(ok).toBeGreaterThan(0);
    const [s] = await h.db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
    expect(s!.held).toBe(0n);
    expect(s!.used).toBeLessThanOrEqual(cap);
    const rows = await h.db.select().from(usage).where(eq(usage.apiKeyId, u.keyId));
    expect(rows).toHaveLength(ok);
    expect(s!.used).toBe(rows.reduce((a, r) => a + r.planTokens, 0n));
    expect((await reconcileLedger(h.db)).ok).toBe(true);
  });
});
