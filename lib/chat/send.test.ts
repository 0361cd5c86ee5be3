import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { sql } from "@/lib/db/sql";
import { hold, message, user } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, type PipelineConfig } from "@/lib/completion";
import { sendChat } from "./send";

const NOW = new Date("2026-05-10T04:00:00Z");
const TRIAL = 500_000n;
let server: RunningServer;
let upstreamCalls = 0;
const handler = createDemoHandler();
let db: Database;
let close: () => Promise<void>;
let userId: string;
let walletId: string;

beforeAll(async () => {
  server = await startDemoUpstream({
    handler: (req) => {
      if (new URL(req.url).pathname.endsWith("/chat/completions")) upstreamCalls++;
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
beforeEach(async () => {
  const [u] = await db
    .insert(user)
    .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
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
  upstreamCalls = 0;
});

const config = (): PipelineConfig => ({
  demoMode: true,
  demoBaseUrl: server.baseUrl,
  providerKey: () => undefined,
  holdTtlSeconds: 600,
  upstreamHeaders: { "x-demo-ttft-ms": "0", "x-demo-tps": "0", "x-demo-tokens": "40" },
  clock: () => NOW,
});
const send = (content: string) =>
  sendChat(db, {
    userId,
    walletId,
    newConversationId: randomUUID(),
    content,
    modelId: "deepseek-chat",
    requestId: `r-${randomUUID()}`,
    now: NOW,
    config: config(),
  });

describe("sendChat: text the database cannot store never reaches the ledger", () => {
  it("a message with a NUL character is refused before any hold or model call", async () => {
    expect(await send("你好\u0000世界")).toMatchObject({ ok: false, code: "invalid_input" });
    expect(upstreamCalls).toBe(0);
    expect(await db.select().from(hold).where(eq(hold.walletId, walletId))).toEqual([]);
    expect(await getBalance(db, { walletId, now: NOW })).toMatchObject({ available: TRIAL, held: 0n });
  });

  it("a failure after the hold settles or releases it at once, never leaving it to the sweeper", async () => {
    // Storing the user's message fails after the model was called (a constraint this text breaks).
    await db.execute(sql`alter table message add constraint test_no_boom check (content not like '%BOOM%')`);
    try {
      // The storing itself fails, not anything before it.
      await expect(send("请解释复利 BOOM")).rejects.toThrow(/insert into "message"/);
    } finally {
      await db.execute(sql`alter table message drop constraint test_no_boom`);
    }
    const holds = await db.select().from(hold).where(eq(hold.walletId, walletId));
    expect(holds).toHaveLength(1);
    expect(holds[0]!.state).not.toBe("open");
    // Our failure, nothing delivered: nothing charged.
    expect(await getBalance(db, { walletId, now: NOW })).toMatchObject({ available: TRIAL, held: 0n });
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("an ordinary message streams its reply, stores both turns and charges exactly the settled cost", async () => {
    const r = await send("讲讲复利是怎么回事");
    if (!r.ok) throw new Error(r.code);
    let text = "";
    for await (const ev of r.events) if (ev.type === "text") text += ev.text;
    const done = await r.done;
    expect(done).toMatchObject({ status: "ok", content: text });
    expect(text.length).toBeGreaterThan(0);
    const rows = await db.select().from(message).where(eq(message.conversationId, r.conversationId));
    expect(rows.map((m) => m.role).sort()).toEqual(["assistant", "user"]);
    expect(await getBalance(db, { walletId, now: NOW })).toMatchObject({ available: TRIAL - BigInt(done.planTokens), held: 0n });
  });
});
