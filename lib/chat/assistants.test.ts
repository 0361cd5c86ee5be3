import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { conversation, hold, usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant, reconcileLedger } from "@/lib/ledger";
import { getModel } from "@/lib/catalog";
import { countChatTokens, holdFor, planTokens } from "@/lib/metering";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, type PipelineConfig } from "@/lib/completion";
import { ASSISTANT_GALLERY } from "./assistant-gallery";
import { builtinAssistants, createAssistant, deleteAssistant, listMyAssistants, resolveAssistant, updateAssistant, type AssistantInput } from "./assistants";
import { sendChat } from "./send";
import { quoteChat } from "./quote";

const NOW = new Date("2026-05-10T04:00:00Z");
let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
const bodies: { messages: { role: string; content: string }[]; temperature?: number; max_tokens?: number; max_completion_tokens?: number }[] = [];
const handler = createDemoHandler();

beforeAll(async () => {
  server = await startDemoUpstream({
    handler: async (req) => {
      if (new URL(req.url).pathname.endsWith("/chat/completions")) bodies.push(await req.clone().json());
      return handler(req);
    },
  });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await server?.close();
  await close();
});

async function newUser() {
  const [u] = await db
    .insert(user)
    .values({ phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}` })
    .returning();
  const walletId = (await ensurePersonalWallet(db, { userId: u!.id })).id;
  await grant(db, {
    walletId,
    kind: "trial",
    amount: 5_000_000n,
    expiresAt: new Date(NOW.getTime() + 7 * 86_400_000),
    source: "trial",
    idempotencyKey: `trial:${u!.id}`,
  });
  return { userId: u!.id, walletId };
}

const mine: AssistantInput = {
  name: "周报小助手",
  description: "把流水账整理成周报",
  icon: "🗓️",
  systemPrompt: "你是职场周报助手。把用户零散的工作记录整理成清晰的周报：本周完成、问题与风险、下周计划。每条以动词开头，不虚构内容。".repeat(3),
  modelId: "deepseek-chat",
  temperatureTenths: 3,
  maxOutputTokens: 4096,
  openingLine: "把这周做的事发给我吧。",
};

describe("assistants: the gallery and one's own", () => {
  it("the built-in gallery covers the Chinese scenarios, each with a prompt and a model the catalog knows", () => {
    const slugs = ASSISTANT_GALLERY.map((a) => a.slug);
    expect(slugs).toEqual(expect.arrayContaining(["polish", "translate", "code", "tutor", "official", "xiaohongshu"]));
    expect(new Set(slugs).size).toBe(slugs.length);
    for (const a of ASSISTANT_GALLERY) {
      expect(a.systemPrompt.length).toBeGreaterThan(40);
      expect(getModel(a.modelId)).toBeTruthy();
      expect(a.temperatureTenths).toBeGreaterThanOrEqual(0);
      expect(a.temperatureTenths).toBeLessThanOrEqual(20);
    }
    expect(builtinAssistants().map((b) => b.ref)).toContain("builtin:translate");
  });

  it("create, list, update, delete are the owner's alone; another user's id looks missing", async () => {
    const a = await newUser();
    const b = await newUser();
    const created = await createAssistant(db, { userId: a.userId, input: mine, now: NOW });
    expect(created).toMatchObject({ name: "周报小助手", builtin: false, temperatureTenths: 3 });
    expect((await listMyAssistants(db, { userId: a.userId })).map((x) => x.ref)).toEqual([created.ref]);
    expect(await listMyAssistants(db, { userId: b.userId })).toEqual([]);
    expect(await resolveAssistant(db, { userId: b.userId, ref: created.ref })).toBeNull();
    expect(await resolveAssistant(db, { userId: a.userId, ref: "builtin:nope" })).toBeNull();
    expect(await resolveAssistant(db, { userId: a.userId, ref: "not-a-ref" })).toBeNull();
    await expect(updateAssistant(db, { userId: b.userId, id: created.ref, input: { ...mine, name: "偷改" }, now: NOW })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(deleteAssistant(db, { userId: b.userId, id: created.ref })).rejects.toMatchObject({ code: "not_found" });
    const renamed = await updateAssistant(db, { userId: a.userId, id: created.ref, input: { ...mine, name: "周报助手二号" }, now: NOW });
    expect(renamed.name).toBe("周报助手二号");
    await deleteAssistant(db, { userId: a.userId, id: created.ref });
    expect(await listMyAssistants(db, { userId: a.userId })).toEqual([]);
  });

  it("refuses bad input: empty name or prompt, temperature or reply cap out of range, NUL", async () => {
    const a = await newUser();
    for (const bad of [
      { ...mine, name: "  " },
      { ...mine, systemPrompt: "" },
      { ...mine, temperatureTenths: 21 },
      { ...mine, temperatureTenths: 0.5 },
      { ...mine, maxOutputTokens: 100_000 },
      { ...mine, systemPrompt: "a\u0000b" },
    ])
      await expect(createAssistant(db, { userId: a.userId, input: bad, now: NOW })).rejects.toThrow();
  });
});

describe("a chat started from an assistant", () => {
  const config = (): PipelineConfig => ({
    demoMode: true,
    demoBaseUrl: server.baseUrl,
    providerKey: () => undefined,
    holdTtlSeconds: 600,
    upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "20" },
    clock: () => NOW,
  });
  async function send(u: { userId: string; walletId: string }, opts: { assistantRef?: string; conversationId?: string; content: string }) {
    const r = await sendChat(db, {
      userId: u.userId,
      walletId: u.walletId,
      ...(opts.conversationId ? { conversationId: opts.conversationId } : { newConversationId: randomUUID() }),
      assistantRef: opts.assistantRef,
      content: opts.content,
      modelId: "deepseek-chat",
      requestId: `r-${randomUUID()}`,
      now: NOW,
      config: config(),
    });
    if (!r.ok) throw new Error(r.code);
    for await (const _ of r.events);
    const done = await r.done;
    const [h] = await db.select().from(hold).where(eq(hold.walletId, u.walletId)).orderBy(desc(hold.createdAt)).limit(1);
    return { conversationId: r.conversationId, done, hold: h! };
  }

  it("sends the system prompt first; the hold grows by exactly its weighted tokens and the charge includes it", async () => {
    const plain = await newUser();
    const withAssistant = await newUser();
    const own = await createAssistant(db, { userId: withAssistant.userId, input: mine, now: NOW });
    const content = "周一修了登录 bug，周三上线了新首页";

    bodies.length = 0;
    const a = await send(plain, { content });
    const b = await send(withAssistant, { content, assistantRef: own.ref });
    expect(bodies[0]!.messages.map((m) => m.role)).toEqual(["user"]);
    expect(bodies[1]!.messages).toEqual([
      { role: "system", content: mine.systemPrompt },
      { role: "user", content },
    ]);
    expect(bodies[1]!.temperature).toBeCloseTo(0.3);

    const model = getModel("deepseek-chat")!;
    const withoutSys = countChatTokens([{ role: "user", content }]);
    const withSys = countChatTokens([
      { role: "system", content: mine.systemPrompt },
      { role: "user", content },
    ]);
    const systemTokens = withSys - withoutSys;
    expect(systemTokens).toBeGreaterThan(50);
    const maxOut = Math.min(model.limits.output || 4096, 4096);
    const grew = b.hold.amount - a.hold.amount;
    expect(grew).toBe(
      holdFor({ promptTokens: withSys, maxOutputTokens: maxOut, weights: model.weights }) -
        holdFor({ promptTokens: withoutSys, maxOutputTokens: maxOut, weights: model.weights }),
    );
    // …which is the system prompt's tokens at the input weight (to the rounding of one token).
    const weighted = planTokens({ tokensIn: systemTokens, tokensOut: 0, weightInMicro: model.weights.inMicro, weightOutMicro: model.weights.outMicro });
    expect(grew >= weighted - 1n && grew <= weighted + 1n).toBe(true);

    // The quote before sending says the same as the hold taken.
    const q = await quoteChat(db, {
      userId: withAssistant.userId,
      content: "周一修了登录 bug，周三上线了新首页",
      modelId: "deepseek-chat",
      assistantRef: own.ref,
    });
    if (!q.ok) throw new Error(q.code);
    expect(q.quote.holdTokens).toBe(b.hold.amount);

    // The charge: the provider's usage counts the system prompt as prompt.
    const [ua] = await db.select().from(usage).where(eq(usage.walletId, plain.walletId));
    const [ub] = await db.select().from(usage).where(eq(usage.walletId, withAssistant.walletId));
    expect(ub!.tokensIn - ua!.tokensIn).toBe(systemTokens);
    expect(BigInt(b.done.planTokens)).toBeGreaterThan(BigInt(a.done.planTokens));
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("the conversation keeps the assistant's setup: later turns send it, edits to the assistant do not change it", async () => {
    const u = await newUser();
    const own = await createAssistant(db, { userId: u.userId, input: { ...mine, maxOutputTokens: 300 }, now: NOW });
    const first = await send(u, { content: "第一条", assistantRef: own.ref });
    const [c] = await db.select().from(conversation).where(eq(conversation.id, first.conversationId));
    expect(c).toMatchObject({
      assistantRef: own.ref,
      assistantName: "周报小助手",
      systemPrompt: mine.systemPrompt,
      temperatureTenths: 3,
      maxOutputTokens: 300,
    });
    await updateAssistant(db, { userId: u.userId, id: own.ref, input: { ...mine, systemPrompt: "完全不同的提示词" }, now: NOW });
    bodies.length = 0;
    await send(u, { content: "第二条", conversationId: first.conversationId });
    expect(bodies[0]!.messages[0]).toEqual({ role: "system", content: mine.systemPrompt });
    expect(bodies[0]!.max_completion_tokens ?? bodies[0]!.max_tokens).toBe(300);
  });

  it("a built-in assistant works for anyone; another user's assistant is not found and nothing is held", async () => {
    const u = await newUser();
    const stranger = await newUser();
    bodies.length = 0;
    await send(u, { content: "Hello world", assistantRef: "builtin:translate" });
    expect(bodies[0]!.messages[0]!.content).toContain("中英互译");
    const own = await createAssistant(db, { userId: stranger.userId, input: mine, now: NOW });
    const r = await sendChat(db, {
      userId: u.userId,
      walletId: u.walletId,
      newConversationId: randomUUID(),
      assistantRef: own.ref,
      content: "hi",
      modelId: "deepseek-chat",
      requestId: `r-${randomUUID()}`,
      now: NOW,
      config: config(),
    });
    expect(r).toMatchObject({ ok: false, code: "not_found" });
    expect(await db.select().from(hold).where(eq(hold.walletId, u.walletId))).toHaveLength(1);
  });
});
