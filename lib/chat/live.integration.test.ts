import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readFileSync } from "node:fs";
import { randomBytes, randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { encode } from "next-auth/jwt";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { authSession, hold, message, usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import type { ChatStreamEvent, DoneEvent } from "./wire";
import { INSTANCE_DIST, startNextInstances, type NextInstances } from "@/lib/testing/next-instances";

/*
 * Two `next start` processes on one PostgreSQL, in demo mode (each calls its own in-app demo
 * upstream): a slow reply is sent on instance 1 and its page goes away; instance 2 follows it
 * (the text so far, then more), stops it, and it ends stopped — settled once, for what was
 * produced, with the ledger reconciled. The build is shared with the e2e layer.
 */

const DIST = INSTANCE_DIST;
const SECRET = "live-reply-test-secret-0123456789abcdef";

/** The id Next gave a server action in this build (its manifest names file and export). */
function actionId(file: string, name: string): string {
  const m = JSON.parse(readFileSync(`${DIST}/server/server-reference-manifest.json`, "utf8")) as {
    node: Record<string, { filename?: string; exportedName?: string }>;
  };
  const hit = Object.entries(m.node).find(([, v]) => v.filename === file && v.exportedName === name);
  if (!hit) throw new Error(`no action ${file}#${name} in the build`);
  return hit[0];
}

let h: Awaited<ReturnType<typeof createPgTestDb>>;
let instances: NextInstances | undefined;
let bases: string[] = [];

beforeAll(async () => {
  h = await createPgTestDb({ max: 4 });
  instances = await startNextInstances({
    count: 2,
    env: () => ({
      DATABASE_URL: h.url,
      DATABASE_DRIVER: "node",
      DATABASE_POOL_MAX: "4",
      DEMO_MODE: "true",
      DEMO_PUBLIC: "true",
      AUTH_SECRET: SECRET,
      AUTH_TRUST_HOST: "true",
      SMS_SENDER: "http",
      SMS_HTTP_URL: "http://127.0.0.1:9/sms",
      SMS_HTTP_SECRET: "live-reply-sms-secret",
      HOLD_SWEEP_INTERVAL_SECONDS: "0",
    }),
  });
  bases = instances.bases;
}, 900_000);

afterAll(async () => {
  await instances?.stop();
  await h?.close();
});

/** A signed-in account with a trial, and its session cookie (the same on every device it uses). */
async function account() {
  const now = new Date();
  const [u] = await h.db
    .insert(user)
    .values({ phone: `136${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}` })
    .returning();
  const walletId = (await ensurePersonalWallet(h.db, { userId: u!.id })).id;
  await grant(h.db, {
    walletId,
    kind: "trial",
    amount: 5_000_000n,
    expiresAt: new Date(now.getTime() + 7 * 86_400_000),
    source: "trial",
    idempotencyKey: `trial:${u!.id}`,
  });
  const sid = `sess_${randomBytes(12).toString("hex")}`;
  await h.db.insert(authSession).values({ id: sid, userId: u!.id, expiresAt: new Date(now.getTime() + 86_400_000), claimedAt: now });
  const name = "authjs.session-token";
  const token = await encode({ token: { sub: u!.id, sid }, secret: SECRET, salt: name });
  return { userId: u!.id, walletId, cookie: `${name}=${token}` };
}

/** Reads server-sent events from a response body. */
async function* sse(body: ReadableStream): AsyncGenerator<ChatStreamEvent> {
  const reader = (body as ReadableStream<Uint8Array>).pipeThrough(new TextDecoderStream() as unknown as ReadableWritablePair<string, Uint8Array>).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 2);
      if (line.startsWith("data: ")) yield JSON.parse(line.slice(6)) as ChatStreamEvent;
    }
  }
}

async function waitFor<T>(f: () => Promise<T | null | undefined | false>, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v) return v;
    if (Date.now() > end) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe("a reply over two instances", () => {
  it("sent on one, its page gone: followed on the other as it goes on, stopped there, charged once", async () => {
    const a = await account();
    const conversationId = randomUUID();
    const requestId = `live-${randomBytes(8).toString("hex")}`;
    const rid = `${a.userId}:${requestId}`;
    // 1500 tokens at 30 a second: it runs far longer than this test follows it before stopping.
    const knobs = `demo_knobs=${encodeURIComponent(JSON.stringify({ "x-demo-tps": 30, "x-demo-tokens": 1500 }))}`;

    // Instance 1: the chat's send action, as the browser calls it; the page then goes away.
    const page = new AbortController();
    const sent = await fetch(`${bases[0]}/chat`, {
      method: "POST",
      headers: {
        "next-action": actionId("app/actions/chat.ts", "sendChatMessage"),
        accept: "text/x-component",
        "content-type": "text/plain;charset=UTF-8",
        origin: bases[0]!,
        cookie: `${a.cookie}; ${knobs}`,
      },
      body: JSON.stringify([{ newConversationId: conversationId, content: "写一篇介绍长城历史的长文", modelId: "deepseek-chat", requestId }]),
      signal: page.signal,
    });
    expect(sent.status).toBe(200);
    const reader = sent.body!.getReader();
    await reader.read();
    // The reply's row exists and has its first text; then the page closes.
    await waitFor(async () => {
      const [m] = await h.db
        .select()
        .from(message)
        .where(and(eq(message.requestId, rid), eq(message.role, "assistant")));
      return m && m.status === "streaming" && m.content.length > 0;
    });
    page.abort();
    await reader.cancel().catch(() => undefined);
    const [afterClose] = await h.db
      .select()
      .from(message)
      .where(and(eq(message.requestId, rid), eq(message.role, "assistant")));

    // Instance 2 follows it: the text so far, then more as it keeps being generated on instance 1.
    const follow = await fetch(`${bases[1]}/api/chat/${conversationId}/live`, { headers: { cookie: a.cookie } });
    expect(follow.status).toBe(200);
    expect(follow.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const events = sse(follow.body!);
    const start = (await events.next()).value as Extract<ChatStreamEvent, { type: "start" }>;
    expect(start).toMatchObject({ type: "start", conversationId, requestId, modelId: "deepseek-chat" });
    let text = "";
    let pieces = 0;
    let done: DoneEvent | null = null;
    let stopAsked = false;
    for await (const ev of events) {
      if (ev.type === "text") {
        text += ev.text;
        pieces++;
      } else if (ev.type === "done") {
        done = ev;
        break;
      }
      // Three pieces in (the text so far and two later drafts), Stop from instance 2.
      if (pieces === 3 && !stopAsked) {
        stopAsked = true;
        expect(text.length).toBeGreaterThan(afterClose!.content.length);
        const stop = await fetch(`${bases[1]}/api/chat/${conversationId}/live`, {
          method: "DELETE",
          headers: { cookie: a.cookie, origin: bases[1]!, "content-type": "application/json" },
          body: JSON.stringify({ requestId }),
        });
        expect(await stop.json()).toEqual({ ok: true, stopped: true });
      }
    }
    expect(stopAsked).toBe(true);
    expect(done).toMatchObject({ status: "interrupted", errorCode: "stopped" });
    expect(done!.content).toBe(text);
    expect(done!.tokensOut).toBeGreaterThan(0);
    expect(done!.tokensOut).toBeLessThan(1500);

    // Stored as it ended, charged exactly once for what was produced; the ledger is clean.
    const [row] = await h.db
      .select()
      .from(message)
      .where(and(eq(message.requestId, rid), eq(message.role, "assistant")));
    expect(row).toMatchObject({ status: "interrupted", errorCode: "stopped", content: text, planTokens: BigInt(done!.planTokens) });
    const used = await h.db.select().from(usage).where(eq(usage.requestId, rid));
    expect(used).toHaveLength(1);
    expect(used[0]!.planTokens).toBe(BigInt(done!.planTokens));
    const holds = await h.db.select().from(hold).where(eq(hold.walletId, a.walletId));
    expect(holds.map((x) => x.state)).toEqual(["settled"]);
    const b = await getBalance(h.db, { walletId: a.walletId, now: new Date() });
    expect(b).toMatchObject({ available: 5_000_000n - BigInt(done!.planTokens), held: 0n });
    expect(done!.balance).toEqual({ available: b.available.toString(), held: "0" });
    expect((await reconcileLedger(h.db)).problems).toEqual([]);

    // Followed again once it ended (from instance 1 now): the stored reply, whole.
    const again = await fetch(`${bases[0]}/api/chat/${conversationId}/live`, { headers: { cookie: a.cookie } });
    const all: ChatStreamEvent[] = [];
    for await (const ev of sse(again.body!)) all.push(ev);
    expect(all.map((e) => e.type)).toEqual(["start", "text", "done"]);
    expect(all[2]).toMatchObject({ status: "interrupted", content: text, planTokens: done!.planTokens });

    // Someone else cannot follow or stop it.
    const other = await account();
    expect((await fetch(`${bases[1]}/api/chat/${conversationId}/live`, { headers: { cookie: other.cookie } })).status).toBe(404);
    expect((await fetch(`${bases[1]}/api/chat/${conversationId}/live`)).status).toBe(401);
  }, 180_000);
});
