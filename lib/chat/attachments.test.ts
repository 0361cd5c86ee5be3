import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import { makePdf, makePng } from "@/lib/testing/files";
import type { Database } from "@/lib/db/types";
import { attachment, hold, message, usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant, reconcileLedger } from "@/lib/ledger";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, type PipelineConfig } from "@/lib/completion";
import { getModel, listedModels } from "@/lib/catalog";
import { planTokens } from "@/lib/metering";
import { databaseStore, uploadAttachment } from "@/lib/files";
import { sendChat } from "./send";
import { quoteChat } from "./quote";

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

const config: PipelineConfig = {
  demoMode: true,
  demoBaseUrl: "",
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "60" },
  clock: () => NOW,
};
const cfg = () => ({ ...config, demoBaseUrl: server.baseUrl });

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

async function upload(userId: string, name: string, bytes: Buffer) {
  const r = await uploadAttachment(db, databaseStore, { userId, name, bytes, now: NOW });
  if (!r.ok) throw new Error(r.code);
  return r.attachment;
}

async function send(who: { userId: string; walletId: string }, m: { conversationId?: string; content: string; modelId: string; attachmentIds?: string[] }) {
  return sendChat(db, {
    userId: who.userId,
    walletId: who.walletId,
    conversationId: m.conversationId,
    newConversationId: m.conversationId ? undefined : randomUUID(),
    content: m.content,
    modelId: m.modelId,
    attachmentIds: m.attachmentIds,
    attachmentStore: databaseStore,
    requestId: `r-${randomUUID()}`,
    now: NOW,
    config: cfg(),
  });
}

const holdsOf = (walletId: string) => db.select().from(hold).where(eq(hold.walletId, walletId)).orderBy(desc(hold.createdAt));

describe("sending attachments", () => {
  it("the quote's maximum is the hold with an image and a document; the model gets both and the charge is its usage", async () => {
    const who = await newUser();
    const image = await upload(who.userId, "截图.png", makePng(800, 600));
    const pdf = await upload(who.userId, "report.pdf", makePdf(["Quarterly Report", "Revenue grew 12 percent in the third quarter."]));
    const text = "请总结一下这份报告和截图";
    const model = getModel("gpt-4o-mini")!;
    expect(model.capabilities.imageInput).toBe(true);

    const bare = await quoteChat(db, { userId: who.userId, content: text, modelId: model.id });
    const q = await quoteChat(db, { userId: who.userId, content: text, modelId: model.id, attachmentIds: [image.id, pdf.id] });
    if (!q.ok || !bare.ok) throw new Error("quote refused");
    // The image at the tile rule (800×600 → 4 tiles → 765) and the document's text are in the prompt.
    expect(q.quote.promptTokens - bare.quote.promptTokens).toBeGreaterThanOrEqual(765 + pdf.tokens - 4);
    expect(q.quote.promptTokens - bare.quote.promptTokens).toBeLessThanOrEqual(765 + pdf.tokens + 4);
    expect(q.quote.holdTokens > bare.quote.holdTokens).toBe(true);

    const r = await send(who, { content: text, modelId: model.id, attachmentIds: [image.id, pdf.id] });
    if (!r.ok) throw new Error(r.code);
    let reply = "";
    for await (const ev of r.events) if (ev.type === "text") reply += ev.text;
    const done = await r.done;
    const [h] = await holdsOf(who.walletId);
    expect(h!.amount).toBe(q.quote.holdTokens);

    // The demo model measured the image from its bytes and read the document's first line.
    expect(reply).toContain("收到一张 800×600 的图片");
    expect(reply).toContain("已读文件《report.pdf》，开头是“Quarterly Report”");
    // Its usage counts the image and the document as the hold did, and the charge is that usage.
    const [u] = await db.select().from(usage).where(eq(usage.walletId, who.walletId));
    expect(u!.tokensIn).toBe(q.quote.promptTokens);
    expect(BigInt(done.planTokens)).toBe(
      planTokens({ tokensIn: u!.tokensIn, tokensOut: u!.tokensOut, weightInMicro: model.weights.inMicro, weightOutMicro: model.weights.outMicro }),
    );

    // The files now belong to the user message; they cannot be sent again.
    const [userMessage] = await db
      .select()
      .from(message)
      .where(and(eq(message.conversationId, r.conversationId), eq(message.role, "user")));
    const linked = await db.select().from(attachment).where(eq(attachment.messageId, userMessage!.id));
    expect(linked.map((a) => a.id).sort()).toEqual([image.id, pdf.id].sort());
    expect(await send(who, { conversationId: r.conversationId, content: "again", modelId: model.id, attachmentIds: [image.id] })).toMatchObject({
      ok: false,
      code: "attachment_not_found",
    });

    // A follow-up still sends the earlier files: the quote and the hold count them again.
    const follow = await quoteChat(db, { userId: who.userId, conversationId: r.conversationId, content: "继续", modelId: model.id });
    if (!follow.ok) throw new Error(follow.code);
    expect(follow.quote.promptTokens).toBeGreaterThan(765 + pdf.tokens);
    const r2 = await send(who, { conversationId: r.conversationId, content: "继续", modelId: model.id });
    if (!r2.ok) throw new Error(r2.code);
    for await (const _ of r2.events) void _;
    await r2.done;
    expect((await holdsOf(who.walletId))[0]!.amount).toBe(follow.quote.holdTokens);
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("refuses before anything is held: images for a text-only model, a foreign file, too many images, a file beyond the context", async () => {
    const who = await newUser();
    const other = await newUser();
    const image = await upload(who.userId, "a.png", makePng(64, 64));
    const theirs = await upload(other.userId, "b.png", makePng(64, 64));

    expect(getModel("qwen-plus")!.capabilities.imageInput).toBe(false);
    expect(await quoteChat(db, { userId: who.userId, content: "看图", modelId: "qwen-plus", attachmentIds: [image.id] })).toMatchObject({
      ok: false,
      code: "model_no_images",
    });
    expect(await send(who, { content: "看图", modelId: "qwen-plus", attachmentIds: [image.id] })).toMatchObject({ ok: false, code: "model_no_images" });
    expect(await send(who, { content: "看图", modelId: "gpt-4o-mini", attachmentIds: [theirs.id] })).toMatchObject({ ok: false, code: "attachment_not_found" });
    const five = await Promise.all([1, 2, 3, 4, 5].map((i) => upload(who.userId, `p${i}.png`, makePng(8, 8))));
    expect(await send(who, { content: "看图", modelId: "gpt-4o-mini", attachmentIds: five.map((f) => f.id) })).toMatchObject({
      ok: false,
      code: "too_many_images",
      details: { limit: 4 },
    });

    // The listed model with the smallest context, and a document larger than it.
    const small = listedModels()
      .filter((m) => m.limits.context > 0)
      .sort((a, b) => a.limits.context - b.limits.context)[0]!;
    const words = Array.from({ length: small.limits.context + 500 }, (_, i) => `w${i}`).join(" ");
    const big = await upload(who.userId, "big.txt", Buffer.from(words));
    expect(big.tokens).toBeGreaterThan(small.limits.context);
    const tooLong = await quoteChat(db, { userId: who.userId, content: "总结", modelId: small.id, attachmentIds: [big.id] });
    expect(tooLong).toMatchObject({ ok: false, code: "attachment_too_long", details: { context: small.limits.context, model: small.name } });
    expect(!tooLong.ok && "details" in tooLong && (tooLong.details!.tokens as number)).toBeGreaterThan(big.tokens - 10);
    expect(await send(who, { content: "总结", modelId: small.id, attachmentIds: [big.id] })).toMatchObject({ ok: false, code: "attachment_too_long" });

    expect(await holdsOf(who.walletId)).toEqual([]);
    // Nothing was linked: the files can still be sent.
    expect((await db.select().from(attachment).where(eq(attachment.ownerUserId, who.userId))).every((a) => a.messageId === null)).toBe(true);
  });
});
