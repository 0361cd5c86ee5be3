import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { randomUUID } from "node:crypto";
import { apiKeySpend, bucket, economySwitch, message, usage } from "@/lib/db/schema";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig, type StartSuccess } from "@/lib/completion";
import { embeddedCarrier } from "@/lib/billing/carrier";
import { adjust, getBalance, grant, ledgerChecks, ledgerNotices, runChecks } from "@/lib/ledger";
import { billingChecks } from "@/lib/billing/bill-checks";
import { client, testGateway, userWithKey } from "@/lib/testing/gateway-harness";
import { sendChat } from "@/lib/chat/send";
import { economyModelFor, economySwitchLookup, onWalletDry, setSafetyNet } from "./safety-net";
import { cycleOf } from "@/lib/core/cycle";

// 放心用 "continue on an economical model until the cycle ends", through the real pipeline and
// the API gateway against the demo upstream (one database for the file, one user per test).

const DEAR = "gpt-4o";
const CHEAP = "deepseek-chat";
const knobs = { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "20" };
const noSms = { send: async () => {} };

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await close();
  await server?.close();
});

const hooks: Pick<PipelineConfig, "safetyNet" | "economyModel"> = {
  safetyNet: async (d, p) => {
    const r = await onWalletDry(d, { ...p, adapter: embeddedCarrier, sender: noSms });
    return r.action === "switch" ? { switchTo: r.modelId } : r.action === "retry";
  },
  economyModel: economyModelFor,
};
const config = (): PipelineConfig => ({
  demoMode: true,
  demoBaseUrl: server.baseUrl,
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: knobs,
  ...hooks,
});

let seq = 0;
async function spender(tokens: bigint, keyCap: bigint | null = null) {
  return userWithKey(db, {
    phone: `137${String(process.pid % 10000).padStart(4, "0")}${String(++seq).padStart(4, "0")}`,
    tokens,
    now: new Date(),
    key: { monthlyCapTokens: keyCap },
  });
}

async function ask(u: { userId: string; walletId: string }, modelId: string) {
  return startMeteredCompletion(db, {
    userId: u.userId,
    walletId: u.walletId,
    modelId,
    messages: [{ role: "user", content: "讲个笑话" }],
    maxOutputTokens: 200,
    requestId: `r-${Math.random().toString(36).slice(2)}`,
    now: new Date(),
    config: config(),
  });
}

async function finish(r: StartSuccess) {
  for await (const _ of r.events) void _;
  return r.done;
}

/** What `npm run ledger:reconcile` checks (ledger and bills), on this test's database. */
async function problems() {
  return (await runChecks(db, [...ledgerChecks, ...billingChecks], ledgerNotices)).problems;
}

const economy = { mode: "economy" as const, modelId: CHEAP, packId: "p99" as const, maxPacksPerMonth: 1 };

describe("放心用: continue on an economical model until the cycle ends", () => {
  it("refuses what the economical model is not, and only the payer's choice switches", async () => {
    const u = await spender(1000n);
    await expect(
      setSafetyNet(db, { payerUserId: u.userId, walletId: u.walletId, userId: u.userId, choice: { ...economy, modelId: DEAR }, now: new Date() }),
    ).rejects.toMatchObject({ code: "not_economical" });
    // Stop (the default): the dear model's hold does not fit, the request is refused.
    expect(await ask(u, DEAR)).toMatchObject({ ok: false, code: "insufficient_balance" });
  });

  it("a dry request is served on the economical model and charged there; the switch holds for the cycle, until the payer saves again", async () => {
    const u = await spender(1000n);
    await setSafetyNet(db, { payerUserId: u.userId, walletId: u.walletId, userId: u.userId, choice: economy, now: new Date() });
    const r = await ask(u, DEAR);
    if (!r.ok) throw new Error(r.code);
    expect(r.switchedFrom).toBe(DEAR);
    expect(r.model.id).toBe(CHEAP);
    const out = await finish(r);
    expect(out.status).toBe("ok");
    expect(out.planTokens).toBeGreaterThan(0n);
    const [row] = await db.select().from(usage).where(eq(usage.id, out.usageId!));
    expect(row!.modelId).toBe(CHEAP);
    expect((await getBalance(db, { walletId: u.walletId, now: new Date() })).available).toBe(1000n - out.planTokens);

    // More tokens arrive (a pack bought by hand): the spender stays on the economical model this cycle.
    await grant(db, {
      walletId: u.walletId,
      kind: "credit",
      amount: 1_000_000n,
      expiresAt: new Date(Date.now() + 30 * 86_400_000),
      source: "test",
      idempotencyKey: `more:${u.userId}`,
    });
    const again = await ask(u, DEAR);
    if (!again.ok) throw new Error(again.code);
    expect([again.switchedFrom, again.model.id]).toEqual([DEAR, CHEAP]);
    await finish(again);
    // A model that is economical already goes as it is.
    const own = await ask(u, "gpt-4o-mini");
    if (!own.ok) throw new Error(own.code);
    expect([own.switchedFrom, own.model.id]).toEqual([undefined, "gpt-4o-mini"]);
    await finish(own);
    // The payer saves the choice again: the dear model is back.
    await setSafetyNet(db, { payerUserId: u.userId, walletId: u.walletId, userId: u.userId, choice: economy, now: new Date() });
    const back = await ask(u, DEAR);
    if (!back.ok) throw new Error(back.code);
    expect([back.switchedFrom, back.model.id]).toEqual([undefined, DEAR]);
    await finish(back);
    expect(await problems()).toEqual([]);
  });

  it("nothing is free: with nothing left at all the economical model's hold buys the chosen pack within the monthly ceiling, then refuses", async () => {
    const u = await spender(0n);
    await setSafetyNet(db, { payerUserId: u.userId, walletId: u.walletId, userId: u.userId, choice: economy, now: new Date() });
    const r = await ask(u, DEAR);
    if (!r.ok) throw new Error(r.code);
    expect([r.switchedFrom, r.model.id]).toEqual([DEAR, CHEAP]);
    const out = await finish(r);
    const packs = await db
      .select()
      .from(bucket)
      .where(and(eq(bucket.walletId, u.walletId), eq(bucket.kind, "pack")));
    expect(packs.map((b) => b.granted)).toEqual([4_000_000n]);
    const left = (await getBalance(db, { walletId: u.walletId, now: new Date() })).available;
    expect(left).toBe(4_000_000n - out.planTokens);
    // That pack spent too (here at once): past the ceiling of one pack a month, the request is refused.
    await adjust(db, { walletId: u.walletId, amount: -left, actorUserId: u.userId, reason: "spent", idempotencyKey: `drain:${u.userId}`, now: new Date() });
    expect(await ask(u, DEAR)).toMatchObject({ ok: false, code: "insufficient_balance" });
    expect(await problems()).toEqual([]);
  });

  it("/v1/chat/completions: the API key's request is switched too, and the response names the model that served it", async () => {
    const u = await spender(1000n, 100_000n);
    await setSafetyNet(db, { payerUserId: u.userId, walletId: u.walletId, userId: u.userId, choice: economy, now: new Date() });
    const gw = testGateway(db, server.baseUrl, {
      config: { demoMode: true, demoBaseUrl: server.baseUrl, providerKey: () => undefined, holdTtlSeconds: 600, ...hooks },
    });
    const { data, response } = await client(gw, u.apiKey, knobs)
      .chat.completions.create({ model: DEAR, messages: [{ role: "user", content: "讲个笑话" }], max_tokens: 200 })
      .withResponse();
    expect(data.model).toBe(CHEAP);
    expect(response.headers.get("x-unitoken-switched-from")).toBe(DEAR);
    await flushAfterSettle();
    const rows = await db.select().from(usage).where(eq(usage.userId, u.userId));
    expect(rows.map((x) => x.modelId)).toEqual([CHEAP]);
    // The key's own cap reservation (made for the dear model's hold) is settled for what was charged.
    const [spent] = await db.select().from(apiKeySpend).where(eq(apiKeySpend.apiKeyId, u.keyId));
    expect(spent).toMatchObject({ held: 0n, used: rows[0]!.planTokens });
    expect(await problems()).toEqual([]);
  });

  it("in chat the reply says it switched: the stream names the economical model and the model asked for, and the stored reply keeps both", async () => {
    const u = await spender(1000n);
    await setSafetyNet(db, { payerUserId: u.userId, walletId: u.walletId, userId: u.userId, choice: economy, now: new Date() });
    const r = await sendChat(db, {
      userId: u.userId,
      walletId: u.walletId,
      newConversationId: randomUUID(),
      content: "讲个笑话",
      modelId: DEAR,
      requestId: `r-${randomUUID()}`,
      now: new Date(),
      config: config(),
    });
    if (!r.ok) throw new Error(r.code);
    const events = [];
    for await (const ev of r.events) events.push(ev);
    expect(events[0]).toMatchObject({ type: "start", modelId: CHEAP, switchedFrom: DEAR });
    const done = events.at(-1)!;
    expect(done).toMatchObject({ type: "done", status: "ok", modelId: CHEAP });
    const rows = await db.select().from(message).where(eq(message.conversationId, r.conversationId));
    expect(rows.map((m) => [m.role, m.modelId, m.switchedFromModelId]).sort()).toEqual([
      ["assistant", CHEAP, DEAR],
      ["user", DEAR, null],
    ]);
    expect(await problems()).toEqual([]);
  });
});

describe("the per-process memory of spenders never switched (economySwitchLookup)", () => {
  const dearWeights = { inMicro: 5_000_000n, outMicro: 15_000_000n };
  it("remembers 'not switched' for its time only, never a switch; a switch made here is seen at once", async () => {
    const u = await spender(1000n);
    await setSafetyNet(db, { payerUserId: u.userId, walletId: u.walletId, userId: u.userId, choice: economy, now: new Date() });
    let t = 1_000_000;
    const lookup = economySwitchLookup({ ttlMs: 5_000, now: () => t });
    const p = { walletId: u.walletId, userId: u.userId, modelId: DEAR, weights: dearWeights, now: new Date() };
    expect(await lookup.economyModel(db, p)).toBeNull();
    // Another instance switches the spender: here the remembered answer stands until it is 5 s old,
    // and comes at once, without a promise.
    await db.insert(economySwitch).values({ walletId: u.walletId, userId: u.userId, cycle: cycleOf(p.now), fromModelId: DEAR, since: p.now });
    expect(lookup.economyModel(db, p)).toBeNull();
    t += 5_001;
    // Past its time it is looked up again.
    const looked = lookup.economyModel(db, p);
    expect(looked).toBeInstanceOf(Promise);
    expect(await looked).toBe(CHEAP);
    // A switch is looked up every time: the payer's new choice (the row gone) applies at once.
    await db.delete(economySwitch).where(and(eq(economySwitch.walletId, u.walletId), eq(economySwitch.userId, u.userId)));
    expect(await lookup.economyModel(db, p)).toBeNull();
    // This process switches the spender itself: seen by the next request, not 5 s later.
    await db.insert(economySwitch).values({ walletId: u.walletId, userId: u.userId, cycle: cycleOf(p.now), fromModelId: DEAR, since: p.now });
    expect(await lookup.economyModel(db, p)).toBeNull();
    lookup.switched(p);
    expect(await lookup.economyModel(db, p)).toBe(CHEAP);
    // Economical models never ask.
    expect(await lookup.economyModel(db, { ...p, modelId: CHEAP, weights: { inMicro: 100_000n, outMicro: 200_000n } })).toBeNull();
  });
});
