import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import { expectReconciled, makeUser } from "@/lib/testing/ledger";
import type { Database } from "@/lib/db/types";
import { conversation, hold, message, usage } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant } from "@/lib/ledger";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, type PipelineConfig } from "@/lib/completion";
import { sendChat } from "./send";
import { quoteChat } from "./quote";
import { currentBranch, loadConversationTree, selectBranch } from "./history";
import { newestLeafUnder, pathTo, siblingPositions, switchSibling } from "./branches";
import { exportConversation } from "./export";
import { readSharedConversation, shareConversation } from "./share";

const NOW = new Date("2026-05-10T04:00:00Z");
let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
/** What the upstream was asked, in order: each request's messages as role:content. */
const asked: string[][] = [];

beforeAll(async () => {
  const demo = createDemoHandler();
  server = await startDemoUpstream({
    handler: async (req) => {
      if (new URL(req.url).pathname.endsWith("/chat/completions")) {
        const body = (await req.clone().json()) as { messages: { role: string; content: string }[] };
        asked.push(body.messages.map((m) => `${m.role}:${m.content}`));
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
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "12" },
  clock: () => NOW,
});

async function subscriber() {
  const userId = await makeUser(db);
  const walletId = (await ensurePersonalWallet(db, { userId })).id;
  await grant(db, {
    walletId,
    kind: "trial",
    amount: 5_000_000n,
    expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
    source: "trial",
    idempotencyKey: `trial:${userId}`,
  });
  return { userId, walletId };
}

type Who = Awaited<ReturnType<typeof subscriber>>;
let clock = 0;

/** One send, read to the end; returns the done event, the ids it stored and what the model was asked. */
async function send(
  who: Who,
  m: { conversationId?: string; content?: string; regenerate?: boolean; parentId?: string | null; modelId?: string; requestId?: string },
) {
  const before = asked.length;
  const r = await sendChat(db, {
    userId: who.userId,
    walletId: who.walletId,
    conversationId: m.conversationId,
    newConversationId: m.conversationId ? undefined : randomUUID(),
    content: m.content,
    regenerate: m.regenerate,
    parentId: m.parentId,
    modelId: m.modelId ?? "deepseek-chat",
    requestId: m.requestId ?? `r-${randomUUID()}`,
    // Each turn a little later, so creation order is the order of the sends.
    now: new Date(NOW.getTime() + ++clock * 1000),
    config: config(),
  });
  if (!r.ok) return { ok: false as const, code: r.code, asked: asked.slice(before) };
  let start: { userMessageId: string | null; replyParentId?: string | null } | null = null;
  for await (const ev of r.events) if (ev.type === "start") start = ev;
  const done = await r.done;
  return { ok: true as const, conversationId: r.conversationId, done, start: start!, asked: asked.slice(before).at(-1) ?? null };
}

async function ok(who: Who, m: Parameters<typeof send>[1]) {
  const r = await send(who, m);
  if (!r.ok) throw new Error(r.code);
  return r;
}

/** Two turns: q1 → a1 → q2 → a2. */
async function twoTurns(who: Who) {
  const t1 = await ok(who, { content: "第一个问题" });
  const c = t1.conversationId;
  const t2 = await ok(who, { conversationId: c, content: "第二个问题", parentId: t1.done.messageId });
  return {
    c,
    q1: t1.start.userMessageId!,
    a1: t1.done.messageId,
    a1Text: t1.done.content,
    q2: t2.start.userMessageId!,
    a2: t2.done.messageId,
    a2Text: t2.done.content,
  };
}

describe("the history follows the branch on screen", () => {
  it("editing an earlier question starts a branch from there; the model sees only that branch", async () => {
    const who = await subscriber();
    const t = await twoTurns(who);
    // Edit q2: a new message under q2's parent (a1).
    const edit = await ok(who, { conversationId: t.c, content: "第二个问题（改过）", parentId: t.a1 });
    expect(edit.asked).toEqual(["user:第一个问题", `assistant:${t.a1Text}`, "user:第二个问题（改过）"]);
    const { messages, leafId } = await loadConversationTree(db, { userId: who.userId, conversationId: t.c });
    expect(messages).toHaveLength(6);
    const q2b = messages.find((m) => m.id === edit.start.userMessageId)!;
    expect(q2b.parentId).toBe(t.a1);
    expect(leafId).toBe(edit.done.messageId);
    // q2 and its edit are siblings: ‹ 2/2 ›.
    expect(siblingPositions(messages).get(q2b.id)).toEqual({ index: 2, count: 2 });
    expect(siblingPositions(messages).get(t.q2)).toEqual({ index: 1, count: 2 });
    // Nothing was deleted: the first branch is still there.
    expect(pathTo(messages, t.a2).map((m) => m.content)).toEqual(["第一个问题", t.a1Text, "第二个问题", t.a2Text]);

    // A follow-up on the edited branch sees the edit, not the original.
    const next = await ok(who, { conversationId: t.c, content: "继续", parentId: edit.done.messageId });
    expect(next.asked).toEqual(["user:第一个问题", `assistant:${t.a1Text}`, "user:第二个问题（改过）", `assistant:${edit.done.content}`, "user:继续"]);

    // Editing the first question: a new first message, sent alone.
    const root = await ok(who, { conversationId: t.c, content: "换个开头", parentId: null });
    expect(root.asked).toEqual(["user:换个开头"]);
    const after = await loadConversationTree(db, { userId: who.userId, conversationId: t.c });
    expect(after.messages.find((m) => m.id === root.start.userMessageId)!.parentId).toBeNull();
    expect(siblingPositions(after.messages).get(t.q1)).toEqual({ index: 1, count: 2 });
    await expectReconciled(db);
  });

  it("regenerating with another model adds a sibling reply with its own model and cost; nothing is deleted", async () => {
    const who = await subscriber();
    const t = await twoTurns(who);
    const regen = await ok(who, { conversationId: t.c, regenerate: true, parentId: t.q2, modelId: "gpt-4o-mini" });
    expect(regen.asked).toEqual(["user:第一个问题", `assistant:${t.a1Text}`, "user:第二个问题"]);
    expect(regen.start.replyParentId).toBe(t.q2);
    const rows = await db.select().from(message).where(eq(message.conversationId, t.c));
    expect(rows).toHaveLength(5);
    const replies = rows.filter((m) => m.parentId === t.q2);
    expect(replies.map((m) => m.modelId).sort()).toEqual(["deepseek-chat", "gpt-4o-mini"]);
    // Each reply keeps its own charge, and each charge is its own usage row at its own model.
    for (const m of replies) {
      const [u] = await db.select().from(usage).where(eq(usage.id, m.usageId!));
      expect(u!.modelId).toBe(m.modelId);
      expect(u!.planTokens).toBe(m.planTokens);
      expect(m.planTokens! > 0n).toBe(true);
    }
    // Regenerating an earlier reply (a1) answers q1 alone; later turns stay on the old branch.
    const early = await ok(who, { conversationId: t.c, regenerate: true, parentId: t.q1 });
    expect(early.asked).toEqual(["user:第一个问题"]);
    expect((await currentBranch(db, { userId: who.userId, conversationId: t.c })).map((m) => m.id)).toEqual([t.q1, early.done.messageId]);
    // Without a parent, a regenerate answers the last question of the branch on screen.
    const again = await ok(who, { conversationId: t.c, regenerate: true });
    expect(again.asked).toEqual(["user:第一个问题"]);
    expect(again.start.replyParentId).toBe(t.q1);
    await expectReconciled(db);
  });

  it("switching siblings (‹ ›) changes the branch on screen, what reopening shows and what the next send follows", async () => {
    const who = await subscriber();
    const t = await twoTurns(who);
    const regen = await ok(who, { conversationId: t.c, regenerate: true, parentId: t.q2 });
    let tree = await loadConversationTree(db, { userId: who.userId, conversationId: t.c });
    expect(tree.leafId).toBe(regen.done.messageId);
    // ‹ from the new reply goes back to the first one.
    expect(switchSibling(tree.messages, regen.done.messageId, -1)).toBe(t.a2);
    expect(switchSibling(tree.messages, regen.done.messageId, 1)).toBeNull();
    await selectBranch(db, { userId: who.userId, conversationId: t.c, leafId: t.a2 });
    tree = await loadConversationTree(db, { userId: who.userId, conversationId: t.c });
    expect(tree.leafId).toBe(t.a2);
    // A send that names no parent continues the branch on screen.
    const next = await ok(who, { conversationId: t.c, content: "然后呢" });
    expect(next.asked).toEqual(["user:第一个问题", `assistant:${t.a1Text}`, "user:第二个问题", `assistant:${t.a2Text}`, "user:然后呢"]);
    // Switching at q2's level goes to the newest message below the sibling.
    tree = await loadConversationTree(db, { userId: who.userId, conversationId: t.c });
    expect(newestLeafUnder(tree.messages, t.q2)).toBe(next.done.messageId);
  });

  it("a retried request id replays the stored reply on its branch and never charges twice", async () => {
    const who = await subscriber();
    const t = await twoTurns(who);
    const requestId = `r-${randomUUID()}`;
    const first = await ok(who, { conversationId: t.c, content: "改一下", parentId: t.a1, requestId });
    const balance = await getBalance(db, { walletId: who.walletId, now: NOW });
    const calls = asked.length;
    const retry = await ok(who, { conversationId: t.c, content: "改一下", parentId: t.a1, requestId });
    expect(asked.length).toBe(calls);
    expect(retry.done).toMatchObject({ messageId: first.done.messageId, content: first.done.content, planTokens: first.done.planTokens });
    expect(retry.start.replyParentId).toBe(first.start.userMessageId);
    expect(await getBalance(db, { walletId: who.walletId, now: NOW })).toEqual(balance);
    const rows = await db.select().from(message).where(eq(message.conversationId, t.c));
    expect(rows).toHaveLength(6);
    // A retried regenerate too.
    const rid = `r-${randomUUID()}`;
    const regen = await ok(who, { conversationId: t.c, regenerate: true, parentId: t.q2, requestId: rid });
    const again = await ok(who, { conversationId: t.c, regenerate: true, parentId: t.q2, requestId: rid });
    expect(again.done.messageId).toBe(regen.done.messageId);
    expect(await db.select().from(message).where(eq(message.conversationId, t.c))).toHaveLength(7);
    await expectReconciled(db);
  });

  it("the quote follows the branch it names: its maximum is the hold that send reserves", async () => {
    const who = await subscriber();
    const t = await twoTurns(who);
    // On the short branch (an edit of q2 under a1) and the long one (after a2).
    for (const parentId of [t.a1, t.a2, null]) {
      const q = await quoteChat(db, { userId: who.userId, conversationId: t.c, content: "报价这一条", parentId, modelId: "deepseek-chat" });
      if (!q.ok) throw new Error(q.code);
      const requestId = `r-${randomUUID()}`;
      await ok(who, { conversationId: t.c, content: "报价这一条", parentId, requestId });
      const [h] = await db
        .select()
        .from(hold)
        .where(eq(hold.idempotencyKey, `req:${who.userId}:${requestId}`));
      expect(h!.amount).toBe(q.quote.holdTokens);
    }
    const short = await quoteChat(db, { userId: who.userId, conversationId: t.c, content: "x", parentId: t.a1, modelId: "deepseek-chat" });
    const long = await quoteChat(db, { userId: who.userId, conversationId: t.c, content: "x", parentId: t.a2, modelId: "deepseek-chat" });
    if (!short.ok || !long.ok) throw new Error("quote");
    expect(short.quote.promptTokens).toBeLessThan(long.quote.promptTokens);
  });
});

describe("share links and exports show the branch on screen", () => {
  it("after an edit only the edited branch is exported and shared; switching back shows the original", async () => {
    const who = await subscriber();
    const t = await twoTurns(who);
    const edit = await ok(who, { conversationId: t.c, content: "第二个问题（改过）", parentId: t.a1 });
    const exported = await exportConversation(db, { userId: who.userId, conversationId: t.c, now: NOW, modelName: (id) => id });
    expect(exported.messages.map((m) => m.content)).toEqual(["第一个问题", t.a1Text, "第二个问题（改过）", edit.done.content]);
    const { token } = await shareConversation(db, { userId: who.userId, conversationId: t.c, now: new Date(NOW.getTime() + 3_600_000) });
    const shared = await readSharedConversation(db, token);
    expect(shared!.messages.map((m) => m.content)).toEqual(["第一个问题", t.a1Text, "第二个问题（改过）", edit.done.content]);
    await selectBranch(db, { userId: who.userId, conversationId: t.c, leafId: t.a2 });
    const back = await exportConversation(db, { userId: who.userId, conversationId: t.c, now: NOW, modelName: (id) => id });
    expect(back.messages.map((m) => m.content)).toEqual(["第一个问题", t.a1Text, "第二个问题", t.a2Text]);
  });
});

describe("a branch is only ever one's own", () => {
  it("a parent id from another conversation or another user is refused before anything is held or asked", async () => {
    const alice = await subscriber();
    const bob = await subscriber();
    const a = await twoTurns(alice);
    const b = await twoTurns(bob);
    const other = await ok(alice, { content: "另一个对话" });
    const calls = asked.length;
    const before = await getBalance(db, { walletId: alice.walletId, now: NOW });
    for (const parentId of [b.a2, other.done.messageId, randomUUID()]) {
      expect(await send(alice, { conversationId: a.c, content: "接着说", parentId })).toMatchObject({ ok: false, code: "not_found" });
      expect(await send(alice, { conversationId: a.c, regenerate: true, parentId })).toMatchObject({ ok: false, code: "not_found" });
      expect(await quoteChat(db, { userId: alice.userId, conversationId: a.c, content: "x", parentId, modelId: "deepseek-chat" })).toMatchObject({
        ok: false,
        code: "not_found",
      });
    }
    // Bob's conversation with Bob's own parent, sent as Alice: the conversation itself is not hers.
    expect(await send(alice, { conversationId: b.c, content: "偷看", parentId: b.a2 })).toMatchObject({ ok: false, code: "not_found" });
    expect(asked.length).toBe(calls);
    expect(await getBalance(db, { walletId: alice.walletId, now: NOW })).toEqual(before);
    expect(
      await db
        .select()
        .from(hold)
        .where(and(eq(hold.walletId, alice.walletId), eq(hold.state, "open"))),
    ).toEqual([]);

    // Choosing a branch: only a message of the same, own conversation.
    for (const leafId of [b.a2, other.done.messageId, randomUUID()]) {
      await expect(selectBranch(db, { userId: alice.userId, conversationId: a.c, leafId })).rejects.toMatchObject({ code: "not_found" });
    }
    await expect(selectBranch(db, { userId: alice.userId, conversationId: b.c, leafId: b.a1 })).rejects.toMatchObject({ code: "not_found" });
    const [bc] = await db.select().from(conversation).where(eq(conversation.id, b.c));
    expect(bc!.currentLeafId).toBe(b.a2);
  });
});
