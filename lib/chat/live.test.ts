import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { conversation, hold, message, usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, usageRequestId, type PipelineConfig } from "@/lib/completion";
import { sendChat } from "./send";
import { followReply, requestStop, runLiveReply, ORPHAN_AFTER_MS } from "./live";
import type { ChatStreamEvent, DoneEvent } from "./wire";

/*
 * Replies that survive the tab, on PGlite against the demo upstream over real HTTP: the reply runs
 * to its end when its follower leaves, its text so far is on its row while it runs, a finished
 * reply is followed whole, and a stop asked through the database ends it. One database for the file.
 */

const NOW = new Date("2026-05-10T04:00:00Z");
const TRIAL = 5_000_000n;
let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
let userId: string;
let walletId: string;

beforeAll(async () => {
  server = await startDemoUpstream({ handler: createDemoHandler() });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await server?.close();
  await close();
});
beforeEach(async () => {
  const [u] = await db
    .insert(user)
    .values({ phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}` })
    .returning();
  userId = u!.id;
  walletId = (await ensurePersonalWallet(db, { userId })).id;
  await grant(db, {
    walletId,
    kind: "trial",
    amount: TRIAL,
    expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
    source: "trial",
    idempotencyKey: `trial:${userId}`,
  });
});

/** A reply of `tokens` tokens at `tps` tokens a second (0: as fast as it goes). */
const config = (tokens: number, tps: number): PipelineConfig => ({
  demoMode: true,
  demoBaseUrl: server.baseUrl,
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": String(tps), "x-demo-tokens": String(tokens) },
  clock: () => NOW,
});

/** Sends a message as the chat action does: the reply runs in the background, followed by the caller. */
async function start(content: string, { tokens = 40, tps = 0, everyMs = 100 } = {}) {
  const requestId = `r-${randomUUID()}`;
  const abort = new AbortController();
  const r = await sendChat(db, {
    userId,
    walletId,
    newConversationId: randomUUID(),
    content,
    modelId: "deepseek-chat",
    requestId,
    now: NOW,
    config: config(tokens, tps),
    signal: abort.signal,
  });
  if (!r.ok) throw new Error(r.code);
  const key = usageRequestId(userId, requestId);
  const live = runLiveReply(db, { key, events: r.events, abort, everyMs });
  return { live, key, conversationId: r.conversationId, requestId };
}

async function replyRow(conversationId: string) {
  const [m] = await db
    .select()
    .from(message)
    .where(and(eq(message.conversationId, conversationId), eq(message.role, "assistant")));
  return m!;
}

const balance = async () => {
  const b = await getBalance(db, { walletId, now: NOW });
  return { available: b.available.toString(), held: b.held.toString() };
};

async function collect(events: AsyncIterable<ChatStreamEvent>) {
  let text = "";
  let start: Extract<ChatStreamEvent, { type: "start" }> | null = null;
  let done: DoneEvent | null = null;
  for await (const ev of events) {
    if (ev.type === "start") start = ev;
    else if (ev.type === "text") text += ev.text;
    else done = ev;
  }
  return { start, text, done: done! };
}

async function expectChargedOnce(key: string, done: DoneEvent) {
  const rows = await db.select().from(usage).where(eq(usage.requestId, key));
  expect(rows).toHaveLength(1);
  expect(rows[0]!.planTokens).toBe(BigInt(done.planTokens));
  const holds = await db.select().from(hold).where(eq(hold.walletId, walletId));
  expect(holds.map((h) => h.state)).toEqual(["settled"]);
  expect(await getBalance(db, { walletId, now: NOW })).toMatchObject({ available: TRIAL - BigInt(done.planTokens), held: 0n });
  expect((await reconcileLedger(db)).problems).toEqual([]);
}

async function waitFor<T>(f: () => Promise<T | null | undefined | false>, ms = 15_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe("a reply whose follower leaves", () => {
  it("runs to its end, is stored whole and charged once, for everything produced", async () => {
    const { live, key, conversationId } = await start("讲讲复利是怎么回事", { tokens: 120, tps: 200 });
    // The tab reads the start and a first piece, then closes.
    const it = live.follow();
    expect((await it.next()).value).toMatchObject({ type: "start" });
    expect((await it.next()).value).toMatchObject({ type: "text" });
    await it.return(undefined);
    const done = await live.finished;
    // The whole answer, not the piece the tab saw.
    expect(done).toMatchObject({ status: "ok", errorCode: null });
    expect(done.tokensOut).toBeGreaterThan(100);
    const row = await replyRow(conversationId);
    expect(row).toMatchObject({ status: "ok", content: done.content, planTokens: BigInt(done.planTokens), tokensOut: done.tokensOut });
    expect(done.content.length).toBeGreaterThan(100);
    await expectChargedOnce(key, done);
  });
});

describe("a running reply", () => {
  it("shows its text so far on its row while it runs, never all at once at the end", async () => {
    const { live, key, conversationId } = await start("写一篇关于春天的短文", { tokens: 200, tps: 100 });
    const first = await replyRow(conversationId);
    expect(first).toMatchObject({ status: "streaming", content: "" });
    // Mid-stream: the row has part of the text, a prefix of what the reply ends with.
    const partial = await waitFor(async () => {
      const r = await replyRow(conversationId);
      return r.status === "streaming" && r.content.length > 0 ? r.content : null;
    });
    const done = await live.finished;
    expect(done.status).toBe("ok");
    expect(partial.length).toBeLessThan(done.content.length);
    expect(done.content.startsWith(partial)).toBe(true);
    expect((await replyRow(conversationId)).content).toBe(done.content);
    await expectChargedOnce(key, done);
  });

  it("is followed from another instance through the database: the text so far, the rest live, the same end", async () => {
    const { live, conversationId, requestId } = await start("讲讲光合作用", { tokens: 200, tps: 100 });
    await waitFor(async () => (await replyRow(conversationId)).content.length > 0);
    const followed = await followReply(db, { userId, conversationId, balance, routeKind: () => "demo", fromMemory: false, pollMs: 50 });
    const got = await collect(followed!);
    const done = await live.finished;
    expect(got.start).toMatchObject({ type: "start", conversationId, requestId, modelId: "deepseek-chat" });
    expect(got.text).toBe(done.content);
    expect(got.done).toMatchObject({ messageId: done.messageId, status: "ok", planTokens: done.planTokens, tokensOut: done.tokensOut });
    expect(got.done.balance).toEqual(await balance());
  });

  it("stops when a stop is asked through the database, and settles what was produced", async () => {
    const { live, key, conversationId, requestId } = await start("写一篇很长的游记", { tokens: 2000, tps: 100 });
    await waitFor(async () => (await replyRow(conversationId)).content.length > 0);
    // Someone else's stop finds nothing; the owner's marks the row.
    expect(await requestStop(db, { userId: randomUUID(), requestId: key, now: new Date() })).toBe(false);
    expect(await requestStop(db, { userId, requestId: key, now: new Date() })).toBe(true);
    const done = await live.finished;
    expect(done).toMatchObject({ status: "interrupted", errorCode: "stopped" });
    expect(done.tokensOut).toBeGreaterThan(0);
    expect(done.tokensOut).toBeLessThan(2000);
    expect(await replyRow(conversationId)).toMatchObject({ status: "interrupted", errorCode: "stopped", content: done.content });
    // Once ended there is nothing to stop.
    expect(await requestStop(db, { userId, requestId: key, now: new Date() })).toBe(false);
    await expectChargedOnce(key, done);
    expect(requestId).toMatch(/^r-/);
  });
});

describe("a retried send of a running reply", () => {
  it("is refused while it runs, never sent or charged twice", async () => {
    const { live, key, conversationId, requestId } = await start("讲讲潮汐", { tokens: 150, tps: 150 });
    await waitFor(async () => (await replyRow(conversationId)).content.length > 0);
    const again = await sendChat(db, {
      userId,
      walletId,
      conversationId,
      content: "讲讲潮汐",
      modelId: "deepseek-chat",
      requestId,
      now: NOW,
      config: config(150, 150),
    });
    expect(again).toMatchObject({ ok: false, code: "duplicate_request", details: { inFlight: true } });
    const done = await live.finished;
    expect(done.status).toBe("ok");
    await expectChargedOnce(key, done);
  });
});

describe("following a reply", () => {
  it("after it finished returns the stored reply with its cost and the balance", async () => {
    const { live, conversationId } = await start("你好");
    const done = await live.finished;
    const got = await collect((await followReply(db, { userId, conversationId, balance, routeKind: () => "demo" }))!);
    expect(got.text).toBe(done.content);
    expect(got.done).toMatchObject({ messageId: done.messageId, status: "ok", content: done.content, planTokens: done.planTokens });
    expect(got.done.balance).toEqual(await balance());
    // Only the owner: another account's follow finds nothing.
    expect(await followReply(db, { userId: randomUUID(), conversationId, balance, routeKind: () => "demo" })).toBeNull();
  });

  it("in the same process follows it from memory, from its text so far", async () => {
    const { live, conversationId } = await start("讲讲月亮", { tokens: 150, tps: 150 });
    await waitFor(async () => live.text.length > 0);
    const got = await collect((await followReply(db, { userId, conversationId, balance, routeKind: () => "demo" }))!);
    const done = await live.finished;
    expect(got.text).toBe(done.content);
    expect(got.done).toEqual(done);
  });

  it("whose process is gone ends it as interrupted with the text it had", async () => {
    const conversationId = randomUUID();
    await db.insert(conversation).values({ id: conversationId, ownerUserId: userId, title: "t", createdAt: NOW, updatedAt: NOW });
    await db.insert(message).values({
      conversationId,
      ownerUserId: userId,
      role: "assistant",
      content: "写到一半",
      modelId: "deepseek-chat",
      status: "streaming",
      requestId: `${userId}:lost-1234`,
      draftAt: new Date(Date.now() - ORPHAN_AFTER_MS - 1000),
    });
    const got = await collect((await followReply(db, { userId, conversationId, balance, routeKind: () => "demo" }))!);
    expect(got.start).toMatchObject({ requestId: "lost-1234" });
    expect(got.text).toBe("写到一半");
    expect(got.done).toMatchObject({ status: "interrupted", errorCode: "lost", content: "写到一半" });
  });
});
