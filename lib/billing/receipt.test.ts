import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { message, subscription, usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant } from "@/lib/ledger";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, type PipelineConfig } from "@/lib/completion";
import { sendChat } from "@/lib/chat";
import { planTokens } from "@/lib/metering";
import { conversationTotal, getReceipt, valueAtPrice } from "./receipt";

const NOW = new Date("2026-05-10T04:00:00Z");
let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  server = await startDemoUpstream({ handler: createDemoHandler() });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await server?.close();
  await close();
});

const config: () => PipelineConfig = () => ({
  demoMode: true,
  demoBaseUrl: server.baseUrl,
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "60" },
  clock: () => NOW,
});

async function subscriber() {
  const [u] = await db
    .insert(user)
    .values({ phone: `137${Math.floor(Math.random() * 1e8)}` })
    .returning();
  const w = await ensurePersonalWallet(db, { userId: u!.id });
  await grant(db, {
    walletId: w.id,
    kind: "allowance",
    amount: 15_000_000n,
    expiresAt: new Date(NOW.getTime() + 20 * 86_400_000),
    source: "plan:t399",
    idempotencyKey: `a:${u!.id}`,
  });
  return { userId: u!.id, walletId: w.id };
}

async function reply(who: { userId: string; walletId: string }, conversationId?: string) {
  const r = await sendChat(db, {
    userId: who.userId,
    walletId: who.walletId,
    conversationId,
    newConversationId: conversationId ? undefined : randomUUID(),
    content: "用两句话解释通货膨胀",
    modelId: "deepseek-chat",
    requestId: `r-${randomUUID()}`,
    now: NOW,
    config: config(),
  });
  if (!r.ok) throw new Error(r.code);
  for await (const _ of r.events) void _;
  return { conversationId: r.conversationId, done: await r.done };
}

describe("valueAtPrice", () => {
  it("is planTokens × fen × 100 / tokens in 0.0001 yuan, rounded half up", () => {
    // 423 tokens at ¥39.90 for 1500万: 423 × 3990 × 100 / 15,000,000 = 11.2518 → 11 (¥0.0011).
    expect(valueAtPrice({ planTokens: 423n, priceFen: 3990n, tokens: 15_000_000n })).toBe(11n);
    // Exactly half rounds up: 3 × 1 × 100 / 200 = 1.5 → 2.
    expect(valueAtPrice({ planTokens: 3n, priceFen: 1n, tokens: 200n })).toBe(2n);
    // A whole allowance is worth the whole price.
    expect(valueAtPrice({ planTokens: 15_000_000n, priceFen: 3990n, tokens: 15_000_000n })).toBe(399_000n);
  });
});

describe("getReceipt", () => {
  it("shows the usage row behind a reply, priced at the plan the wallet is on", async () => {
    const who = await subscriber();
    await db
      .insert(subscription)
      .values({ userId: who.userId, tierId: "t399", status: "active", currentCycle: "2026-05", walletId: who.walletId, startedAt: NOW, updatedAt: NOW });
    const { conversationId, done } = await reply(who);
    const r = await getReceipt(db, { userId: who.userId, messageId: done.messageId });
    if (!r) throw new Error("no receipt");
    const [u] = await db.select().from(usage).where(eq(usage.id, r.usageId));
    expect(r).toMatchObject({
      modelId: "deepseek-chat",
      providerRoute: "demo",
      tokensIn: u!.tokensIn,
      tokensOut: u!.tokensOut,
      planTokens: BigInt(done.planTokens),
    });
    expect(r.planTokens).toBe(planTokens({ tokensIn: r.tokensIn, tokensOut: r.tokensOut, weightInMicro: r.weightInMicro, weightOutMicro: r.weightOutMicro }));
    expect(r.basis).toEqual({ kind: "tier", id: "t399", priceFen: 3990n, tokens: 15_000_000n });
    // The route that served and every route tried are the usage row's.
    expect(r.routeAttempts).toEqual(u!.routeAttempts);
    expect(r.routeAttempts?.at(-1)).toMatchObject({ outcome: "ok" });
    expect(r.valueE4).toBe(valueAtPrice({ planTokens: r.planTokens, priceFen: 3990n, tokens: 15_000_000n }));
    // The conversation's total is the sum of its replies.
    const second = await reply(who, conversationId);
    expect(await conversationTotal(db, { userId: who.userId, conversationId })).toBe(BigInt(done.planTokens) + BigInt(second.done.planTokens));
  });

  it("lists the routes a failed-over reply tried, as its usage row recorded them", async () => {
    const who = await subscriber();
    const { done } = await reply(who);
    const tried = [
      { provider: "moonshotai-cn", outcome: "connect_error", ms: 3 },
      { provider: "moonshotai", outcome: "upstream_error", ms: 41, status: 503 },
      { provider: "siliconflow-cn", outcome: "ok", ms: 120 },
    ];
    const r0 = await getReceipt(db, { userId: who.userId, messageId: done.messageId });
    await db.update(usage).set({ routeAttempts: tried, providerRoute: "siliconflow-cn" }).where(eq(usage.id, r0!.usageId));
    const r = await getReceipt(db, { userId: who.userId, messageId: done.messageId });
    expect(r).toMatchObject({ providerRoute: "siliconflow-cn", routeAttempts: tried });
  });

  it("is the owner's only: another user, or a user message, gets nothing", async () => {
    const a = await subscriber();
    const b = await subscriber();
    const { conversationId, done } = await reply(a);
    expect(await getReceipt(db, { userId: b.userId, messageId: done.messageId })).toBeNull();
    const [mine] = await db
      .select()
      .from(message)
      .where(and(eq(message.conversationId, conversationId), eq(message.role, "user")));
    expect(await getReceipt(db, { userId: a.userId, messageId: mine!.id })).toBeNull();
    expect(await conversationTotal(db, { userId: b.userId, conversationId })).toBe(0n);
    // Without a plan the value is taken at the smallest pack's price.
    const r = await getReceipt(db, { userId: a.userId, messageId: done.messageId });
    expect(r?.basis).toMatchObject({ kind: "pack", id: "p99" });
  });
});
