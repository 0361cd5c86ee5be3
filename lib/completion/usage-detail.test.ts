import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant, reconcileLedger } from "@/lib/ledger";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig } from "./index";

// Cached input and reasoning output, as the provider reports them, land on the usage row.
const NOW = new Date("2026-05-10T04:00:00Z");
let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await close();
});

const chunk = (body: Record<string, unknown>) => `data: ${JSON.stringify({ id: "c1", object: "chat.completion.chunk", created: 1, model: "m", ...body })}\n\n`;

async function scripted(usageBody: Record<string, unknown> | null) {
  const srv = createServer((req: IncomingMessage, res: ServerResponse) => {
    req.resume();
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.write(chunk({ choices: [{ index: 0, delta: { role: "assistant" }, finish_reason: null }] }));
    res.write(chunk({ choices: [{ index: 0, delta: { reasoning_content: "想一想。" }, finish_reason: null }] }));
    res.write(chunk({ choices: [{ index: 0, delta: { content: "利滚利。" }, finish_reason: "stop" }] }));
    if (usageBody) res.write(chunk({ choices: [], usage: usageBody }));
    res.end("data: [DONE]\n\n");
  });
  await new Promise<void>((r) => srv.listen(0, "127.0.0.1", r));
  const { port } = srv.address() as AddressInfo;
  return { baseUrl: `http://127.0.0.1:${port}/v1`, close: () => new Promise<void>((r) => (srv.closeAllConnections(), srv.close(() => r()))) };
}

async function run(baseUrl: string) {
  const [u] = await db
    .insert(user)
    .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
    .returning();
  const walletId = (await ensurePersonalWallet(db, { userId: u!.id })).id;
  await grant(db, {
    walletId,
    kind: "trial",
    amount: 500_000n,
    expiresAt: new Date(NOW.getTime() + 86_400_000),
    source: "trial",
    idempotencyKey: `t:${u!.id}`,
  });
  const config: PipelineConfig = { demoMode: true, demoBaseUrl: baseUrl, providerKey: () => undefined, holdTtlSeconds: 600, clock: () => NOW };
  const r = await startMeteredCompletion(db, {
    userId: u!.id,
    walletId,
    modelId: "deepseek-chat",
    messages: [{ role: "user", content: "复利？" }],
    requestId: `r-${u!.id}`,
    now: NOW,
    config,
  });
  if (!r.ok) throw new Error(r.code);
  for await (const _ of r.events) void _;
  const out = await r.done;
  const [row] = await db.select().from(usage).where(eq(usage.id, out.usageId!));
  return { out, row: row! };
}

describe("usage detail", () => {
  it("records the provider's cached and reasoning counts on the usage row", async () => {
    const up = await scripted({
      prompt_tokens: 30,
      completion_tokens: 12,
      total_tokens: 42,
      prompt_tokens_details: { cached_tokens: 20 },
      completion_tokens_details: { reasoning_tokens: 5 },
    });
    try {
      const { out, row } = await run(up.baseUrl);
      expect(out.usageSource).toBe("provider");
      expect(row).toMatchObject({ tokensIn: 30, tokensOut: 12, tokensCached: 20, tokensReasoning: 5 });
    } finally {
      await up.close();
    }
  });

  it("leaves them null when the provider reports no usage (the text is counted instead)", async () => {
    const up = await scripted(null);
    try {
      const { out, row } = await run(up.baseUrl);
      expect(out.usageSource).toBe("counted");
      expect(row).toMatchObject({ tokensCached: null, tokensReasoning: null });
      expect((await reconcileLedger(db)).problems).toEqual([]);
    } finally {
      await up.close();
    }
  });
});
