import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { hold, user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant, reconcileLedger } from "@/lib/ledger";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, type PipelineConfig } from "@/lib/completion";
import { getModel } from "@/lib/catalog";
import { planTokens } from "@/lib/metering";
import { sendChat } from "./send";
import { quoteChat } from "./quote";
import { TYPICAL_REPLY_DEFAULT_TOKENS, medianUp } from "./typical-reply";

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

const config = (tokens = 40): PipelineConfig => ({
  demoMode: true,
  demoBaseUrl: server.baseUrl,
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": String(tokens) },
  clock: () => NOW,
});

async function newUser() {
  const [u] = await db
    .insert(user)
    .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
    .returning();
  const walletId = (await ensurePersonalWallet(db, { userId: u!.id })).id;
  await grant(db, {
    walletId,
    kind: "trial",
    amount: 50_000_000n,
    expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
    source: "trial",
    idempotencyKey: `trial:${u!.id}`,
  });
  return { userId: u!.id, walletId };
}

/** Sends for real and returns the amount of the hold the ledger reserved for it. */
async function sendAndReadHold(who: { userId: string; walletId: string }, m: { conversationId?: string; content: string; modelId: string; tokens?: number }) {
  const r = await sendChat(db, {
    userId: who.userId,
    walletId: who.walletId,
    conversationId: m.conversationId,
    newConversationId: m.conversationId ? undefined : randomUUID(),
    content: m.content,
    modelId: m.modelId,
    requestId: `r-${randomUUID()}`,
    now: NOW,
    config: config(m.tokens),
  });
  if (!r.ok) throw new Error(r.code);
  for await (const _ of r.events) void _;
  await r.done;
  const [h] = await db.select().from(hold).where(eq(hold.walletId, who.walletId)).orderBy(desc(hold.createdAt)).limit(1);
  return { conversationId: r.conversationId, held: h!.amount };
}

describe("quoteChat: the quote's maximum is the hold the send reserves", () => {
  it("equals the reserved hold for a new conversation, a follow-up with history, and other models", async () => {
    const who = await newUser();
    const text = "讲讲复利是怎么回事，举个例子";
    const q1 = await quoteChat(db, { userId: who.userId, content: text, modelId: "deepseek-chat" });
    if (!q1.ok) throw new Error(q1.code);
    const s1 = await sendAndReadHold(who, { content: text, modelId: "deepseek-chat" });
    expect(q1.quote.holdTokens).toBe(s1.held);

    // A follow-up in the same conversation: the stored history is part of the prompt.
    const follow = "那么年化 5% 存十年是多少？";
    const q2 = await quoteChat(db, { userId: who.userId, conversationId: s1.conversationId, content: follow, modelId: "deepseek-chat" });
    if (!q2.ok) throw new Error(q2.code);
    expect(q2.quote.promptTokens).toBeGreaterThan(q1.quote.promptTokens);
    const s2 = await sendAndReadHold(who, { conversationId: s1.conversationId, content: follow, modelId: "deepseek-chat" });
    expect(q2.quote.holdTokens).toBe(s2.held);

    // Another model prices the same text differently, and still exactly as its hold.
    const q3 = await quoteChat(db, { userId: who.userId, conversationId: s1.conversationId, content: "再总结一下", modelId: "gpt-4o" });
    if (!q3.ok) throw new Error(q3.code);
    const s3 = await sendAndReadHold(who, { conversationId: s1.conversationId, content: "再总结一下", modelId: "gpt-4o" });
    expect(q3.quote.holdTokens).toBe(s3.held);
    expect(q3.quote.holdTokens).not.toBe(q2.quote.holdTokens);
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("is the prompt × input weight + max output × output weight of the model", async () => {
    const who = await newUser();
    const q = await quoteChat(db, { userId: who.userId, content: "你好", modelId: "deepseek-chat" });
    if (!q.ok) throw new Error(q.code);
    const m = getModel("deepseek-chat")!;
    expect(q.quote.holdTokens).toBe(
      planTokens({ tokensIn: q.quote.promptTokens, tokensOut: q.quote.maxOutputTokens, weightInMicro: m.weights.inMicro, weightOutMicro: m.weights.outMicro }),
    );
    expect(q.quote.typicalFrom).toBe("default");
    expect(q.quote.typicalReplyTokens).toBe(TYPICAL_REPLY_DEFAULT_TOKENS);
    expect(q.quote.expectedTokens).toBe(
      planTokens({
        tokensIn: q.quote.promptTokens,
        tokensOut: TYPICAL_REPLY_DEFAULT_TOKENS,
        weightInMicro: m.weights.inMicro,
        weightOutMicro: m.weights.outMicro,
      }),
    );
    expect(q.quote.expectedTokens < q.quote.holdTokens).toBe(true);
  });

  it("the typical reply is the median of the user's recent replies from that model", async () => {
    const who = await newUser();
    let conversationId: string | undefined;
    for (const tokens of [30, 90, 60]) {
      const s = await sendAndReadHold(who, { conversationId, content: `第 ${tokens} 个问题`, modelId: "deepseek-chat", tokens });
      conversationId = s.conversationId;
    }
    const q = await quoteChat(db, { userId: who.userId, content: "下一个问题", modelId: "deepseek-chat" });
    if (!q.ok) throw new Error(q.code);
    expect(q.quote).toMatchObject({ typicalFrom: "history", typicalReplyTokens: 60 });
    // Another model has no history yet.
    const other = await quoteChat(db, { userId: who.userId, content: "下一个问题", modelId: "gpt-4o" });
    expect(other.ok && other.quote.typicalFrom).toBe("default");
    expect(medianUp([5, 1, 4, 2])).toBe(4);
  });

  it("refuses someone else's conversation, an unknown model and unstorable text", async () => {
    const a = await newUser();
    const b = await newUser();
    const s = await sendAndReadHold(a, { content: "我的私事", modelId: "deepseek-chat" });
    expect(await quoteChat(db, { userId: b.userId, conversationId: s.conversationId, content: "看看", modelId: "deepseek-chat" })).toEqual({
      ok: false,
      code: "not_found",
    });
    expect(await quoteChat(db, { userId: a.userId, content: "hi", modelId: "no-such-model" })).toEqual({ ok: false, code: "unknown_model" });
    expect(await quoteChat(db, { userId: a.userId, content: "a\u0000b", modelId: "deepseek-chat" })).toEqual({ ok: false, code: "invalid_input" });
  });
});
