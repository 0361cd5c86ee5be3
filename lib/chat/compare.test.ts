import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { and, eq, like } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import { expectReconciled, makeUser } from "@/lib/testing/ledger";
import type { Database } from "@/lib/db/types";
import { conversation, hold, message, usage } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant } from "@/lib/ledger";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, type PipelineConfig } from "@/lib/completion";
import { quoteChat } from "./quote";
import { sendChat } from "./send";
import { columnRequestId, sendComparison } from "./compare";
import { loadConversationTree } from "./history";
import type { CompareEvent } from "./wire";

const NOW = new Date("2026-05-10T04:00:00Z");
let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
/** What the upstream was asked: each request's model and messages. */
const asked: { model: string; messages: string[] }[] = [];

beforeAll(async () => {
  const demo = createDemoHandler();
  server = await startDemoUpstream({
    handler: async (req) => {
      if (new URL(req.url).pathname.endsWith("/chat/completions")) {
        const body = (await req.clone().json()) as { model: string; messages: { role: string; content: string }[] };
        asked.push({ model: body.model, messages: body.messages.map((m) => `${m.role}:${m.content}`) });
      }
      return demo(req);
    },
  });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await server?.close();
  await close();
});

const config = (): PipelineConfig => ({
  demoMode: true,
  demoBaseUrl: server.baseUrl,
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "30" },
  clock: () => NOW,
});

async function subscriber(amount: bigint) {
  const userId = await makeUser(db);
  const walletId = (await ensurePersonalWallet(db, { userId })).id;
  if (amount > 0n) {
    await grant(db, {
      walletId,
      kind: "trial",
      amount,
      expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
      source: "trial",
      idempotencyKey: `trial:${userId}`,
    });
  }
  return { userId, walletId };
}
type Who = Awaited<ReturnType<typeof subscriber>>;

async function compare(who: Who, o: { modelIds: string[]; content?: string; conversationId?: string; parentId?: string | null; requestId?: string }) {
  const r = await sendComparison(db, {
    userId: who.userId,
    walletId: who.walletId,
    conversationId: o.conversationId,
    newConversationId: o.conversationId ? undefined : randomUUID(),
    content: o.content ?? "用一句话介绍杭州",
    parentId: o.parentId,
    modelIds: o.modelIds,
    requestId: o.requestId ?? `cmp${randomUUID().replace(/-/g, "")}`,
    now: NOW,
    config: config(),
  });
  if (!r.ok) return r;
  const events: CompareEvent[] = [];
  for await (const ev of r.events) events.push(ev);
  return { ...r, events, ends: await r.done };
}

const balanceOf = async (who: Who) => getBalance(db, { walletId: who.walletId, now: NOW });

describe("side by side: one question, 2–3 models, each on its own hold", () => {
  it("three models answer as sibling replies; each charge is its own hold's settle and together they are the balance's drop", async () => {
    const who = await subscriber(5_000_000n);
    const before = await balanceOf(who);
    const requestId = `cmp${randomUUID().replace(/-/g, "")}`;
    const models = ["deepseek-chat", "gpt-4o-mini", "qwen-plus"];
    // The quote before sending: the sum of the three holds.
    const quotes = await Promise.all(models.map((modelId) => quoteChat(db, { userId: who.userId, content: "用一句话介绍杭州", modelId })));
    const quoted = quotes.reduce((a, q) => a + (q.ok ? q.quote.holdTokens : 0n), 0n);
    const calls = asked.length;
    const r = await compare(who, { modelIds: models, requestId });
    if (!("events" in r)) throw new Error(r.code);

    // Each column reserved exactly its quoted hold under its own request id, and settled once.
    const holds = await db
      .select()
      .from(hold)
      .where(and(eq(hold.walletId, who.walletId), like(hold.idempotencyKey, `req:${who.userId}:${requestId}-c%`)));
    expect(holds).toHaveLength(3);
    expect(holds.reduce((a, h) => a + h.amount, 0n)).toBe(quoted);
    for (const h of holds) expect(h.state).not.toBe("open");
    // Every model was asked the same question, alone.
    expect(asked.slice(calls).map((a) => a.messages)).toEqual([["user:用一句话介绍杭州"], ["user:用一句话介绍杭州"], ["user:用一句话介绍杭州"]]);

    const ends = r.ends.map((e) => (e.ok ? e.done : null));
    expect(ends.map((d) => d?.modelId)).toEqual(models);
    const charged = ends.reduce((a, d) => a + BigInt(d!.planTokens), 0n);
    expect(charged).toBeGreaterThan(0n);
    const rows = await db.select().from(usage).where(eq(usage.conversationId, r.conversationId));
    expect(rows).toHaveLength(3);
    expect(rows.reduce((a, u) => a + u.planTokens, 0n)).toBe(charged);
    expect(rows.map((u) => u.modelId).sort()).toEqual([...models].sort());
    const after = await balanceOf(who);
    expect(before.available - after.available).toBe(charged);
    expect(after.held).toBe(0n);

    // One question, three sibling replies; the streams carried each column's own text.
    const { messages } = await loadConversationTree(db, { userId: who.userId, conversationId: r.conversationId });
    const question = messages.filter((m) => m.role === "user");
    expect(question).toHaveLength(1);
    const replies = messages.filter((m) => m.role === "assistant");
    expect(replies.map((m) => m.parentId)).toEqual([question[0]!.id, question[0]!.id, question[0]!.id]);
    for (const [column, d] of ends.entries()) {
      const text = r.events
        .filter((e): e is Extract<CompareEvent, { type: "column" }> => e.type === "column" && e.column === column)
        .map((e) => (e.event.type === "text" ? e.event.text : ""))
        .join("");
      expect(text).toBe(d!.content);
      expect(replies.find((m) => m.id === d!.messageId)!.planTokens).toBe(BigInt(d!.planTokens));
    }
    await expectReconciled(db);

    // A retry of the same comparison replays every column: nothing asked, nothing charged again.
    const again = await compare(who, { modelIds: models, requestId, conversationId: r.conversationId });
    if (!("events" in again)) throw new Error(again.code);
    expect(asked.length).toBe(calls + 3);
    expect(again.ends.map((e) => (e.ok ? e.done.messageId : null))).toEqual(ends.map((d) => d!.messageId));
    expect(await balanceOf(who)).toEqual(after);
    expect(await db.select().from(message).where(eq(message.conversationId, r.conversationId))).toHaveLength(4);
  });

  it("a column the balance cannot pay is refused on that column; the others answer and only they are charged", async () => {
    // Enough for DeepSeek's and GPT-4o mini's holds, far from Claude Opus's (even a short reply).
    const who = await subscriber(10_000n);
    const r = await compare(who, { modelIds: ["deepseek-chat", "claude-opus-4-1", "gpt-4o-mini"] });
    if (!("events" in r)) throw new Error(r.code);
    expect(r.events.find((e) => e.type === "refused")).toMatchObject({ type: "refused", column: 1, code: "insufficient_balance" });
    expect(r.ends.map((e) => e.ok)).toEqual([true, false, true]);
    const charged = r.ends.reduce((a, e) => a + (e.ok ? BigInt(e.done.planTokens) : 0n), 0n);
    expect((await balanceOf(who)).available).toBe(10_000n - charged);
    const rows = await db.select().from(usage).where(eq(usage.conversationId, r.conversationId));
    expect(rows.map((u) => u.modelId).sort()).toEqual(["deepseek-chat", "gpt-4o-mini"]);
    await expectReconciled(db);
  });

  it("when every column is refused nothing is kept or charged", async () => {
    const who = await subscriber(0n);
    const newConversationId = randomUUID();
    const r = await sendComparison(db, {
      userId: who.userId,
      walletId: who.walletId,
      newConversationId,
      content: "你好",
      modelIds: ["deepseek-chat", "gpt-4o-mini"],
      requestId: `cmp${randomUUID().replace(/-/g, "")}`,
      now: NOW,
      config: config(),
    });
    expect(r).toMatchObject({ ok: false, code: "insufficient_balance" });
    expect(await db.select().from(conversation).where(eq(conversation.id, newConversationId))).toEqual([]);
    expect(await db.select().from(message).where(eq(message.ownerUserId, who.userId))).toEqual([]);
  });

  it("follows the branch it names, and refuses a parent that is not the user's own", async () => {
    const alice = await subscriber(5_000_000n);
    const bob = await subscriber(5_000_000n);
    const first = await sendChat(db, {
      userId: alice.userId,
      walletId: alice.walletId,
      newConversationId: randomUUID(),
      content: "先说说西湖",
      modelId: "deepseek-chat",
      requestId: `r-${randomUUID()}`,
      now: NOW,
      config: config(),
    });
    if (!first.ok) throw new Error(first.code);
    for await (const _ of first.events) void _;
    const a1 = await first.done;
    const calls = asked.length;
    const r = await compare(alice, {
      modelIds: ["deepseek-chat", "gpt-4o-mini"],
      conversationId: first.conversationId,
      parentId: a1.messageId,
      content: "再说说灵隐寺",
    });
    if (!("events" in r)) throw new Error(r.code);
    for (const a of asked.slice(calls)) expect(a.messages).toEqual(["user:先说说西湖", `assistant:${a1.content}`, "user:再说说灵隐寺"]);

    const bobs = await compare(bob, { modelIds: ["deepseek-chat", "gpt-4o-mini"] });
    if (!("events" in bobs)) throw new Error(bobs.code);
    const foreign = bobs.ends[0]!.ok ? bobs.ends[0]!.done.messageId : "";
    const before = await balanceOf(alice);
    const n = asked.length;
    expect(await compare(alice, { modelIds: ["deepseek-chat", "gpt-4o-mini"], conversationId: first.conversationId, parentId: foreign })).toMatchObject({
      ok: false,
      code: "not_found",
    });
    expect(await compare(alice, { modelIds: ["deepseek-chat", "gpt-4o-mini"], conversationId: bobs.conversationId })).toMatchObject({
      ok: false,
      code: "not_found",
    });
    // One model, four, or the same one twice: not a comparison.
    for (const modelIds of [["deepseek-chat"], ["deepseek-chat", "deepseek-chat"], ["deepseek-chat", "gpt-4o-mini", "qwen-plus", "kimi-k2"]]) {
      expect(await compare(alice, { modelIds })).toMatchObject({ ok: false, code: "invalid_input" });
    }
    expect(asked.length).toBe(n);
    expect(await balanceOf(alice)).toEqual(before);
  });
});

it("columnRequestId gives each column its own key", () => {
  expect(new Set([0, 1, 2].map((c) => columnRequestId("abc12345", c))).size).toBe(3);
});
