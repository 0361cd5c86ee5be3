import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { catalogSnapshot, usage, user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant, reconcileLedger } from "@/lib/ledger";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig, type StartSuccess } from "@/lib/completion";
import { RouteHealth } from "@/lib/routing";
import { catalogDataset, getModel, setCatalogDataset, type RawCatalog } from "@/lib/catalog";
import { latestCatalogSnapshot, refreshCatalog } from "./refresh";

/*
 * CATALOG_URL against a local HTTP server: a first catalog, then one with a changed price, a
 * removed model and malformed entries. A request reserved before the change settles at the price
 * it was reserved at; new holds use the new one.
 */

let upstreamPort = 0;
let releaseReply: (() => void) | null = null;
const upstream = createServer((req, res) => {
  req.resume();
  req.on("end", () => {
    res.writeHead(200, { "content-type": "text/event-stream" });
    res.flushHeaders();
    const send = () => {
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: { content: "价格" }, finish_reason: null }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ choices: [{ index: 0, delta: {}, finish_reason: "stop" }] })}\n\n`);
      res.write(`data: ${JSON.stringify({ choices: [], usage: { prompt_tokens: 1000, completion_tokens: 1000 } })}\n\n`);
      res.end("data: [DONE]\n\n");
    };
    if (releaseReply === null) send();
    else {
      const prev = releaseReply;
      releaseReply = () => {
        prev();
        send();
      };
    }
  });
});

function fixture(version: 1 | 2): unknown {
  const models: Record<string, unknown> = {
    "acme-one": {
      id: "acme-one",
      name: "Acme One",
      cost: version === 1 ? { input: 1, output: 2 } : { input: 3, output: 6 },
      limit: { context: 32_000, output: 4_000 },
    },
  };
  if (version === 1) models["acme-two"] = { id: "acme-two", name: "Acme Two", cost: { input: 1, output: 1 }, limit: { context: 32_000, output: 4_000 } };
  if (version === 2) models["acme-bad"] = { id: "acme-bad", name: "Acme Bad", cost: { input: "free", output: 1 } };
  return {
    acme: { id: "acme", name: "Acme", api: `http://127.0.0.1:${upstreamPort}/v1`, npm: "@ai-sdk/openai-compatible", env: ["ACME_API_KEY"], models },
    ...(version === 2 ? { broken: { id: "broken", name: "Broken", env: ["not a key name"], models: {} } } : {}),
  };
}

let version: 1 | 2 = 1;
const catalogServer: Server = createServer((_req, res) => {
  res.writeHead(200, { "content-type": "application/json" });
  res.end(JSON.stringify(fixture(version)));
});
let catalogUrl = "";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  await new Promise<void>((r) => upstream.listen(0, "127.0.0.1", r));
  upstreamPort = (upstream.address() as AddressInfo).port;
  await new Promise<void>((r) => catalogServer.listen(0, "127.0.0.1", r));
  catalogUrl = `http://127.0.0.1:${(catalogServer.address() as AddressInfo).port}/api.json`;
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  setCatalogDataset(null);
  await flushAfterSettle();
  await close();
  upstream.closeAllConnections();
  await new Promise((r) => upstream.close(r));
  await new Promise((r) => catalogServer.close(r));
});

async function load(): Promise<void> {
  const snap = await latestCatalogSnapshot(db);
  setCatalogDataset(snap);
}

describe("CATALOG_URL refresh", () => {
  it("stores the fetched catalog, refuses malformed entries with a log line and keeps the rest, and prices new holds only at the new price", async () => {
    const NOW = new Date("2026-06-01T04:00:00Z");
    const [u] = await db.insert(user).values({ phone: "13512345678" }).returning();
    const walletId = (await ensurePersonalWallet(db, { userId: u!.id })).id;
    await grant(db, {
      walletId,
      kind: "trial",
      amount: 50_000_000n,
      expiresAt: new Date(NOW.getTime() + 86_400_000),
      source: "trial",
      idempotencyKey: "t",
      cycle: undefined,
    });
    const config: PipelineConfig = {
      demoMode: false,
      demoBaseUrl: "http://demo.invalid/v1",
      providerKey: (n) => (n === "ACME_API_KEY" ? "sk" : undefined),
      holdTtlSeconds: 600,
      clock: () => NOW,
      routing: { health: new RouteHealth() },
    };
    const start = (modelId: string) =>
      startMeteredCompletion(db, {
        userId: u!.id,
        walletId,
        modelId,
        messages: [{ role: "user", content: "hi" }],
        maxOutputTokens: 2000,
        requestId: `r-${Math.random()}`,
        now: NOW,
        config,
        reportBalance: false,
      });

    expect(catalogDataset()).toEqual({ source: "bundled" });
    const first = await refreshCatalog(db, { url: catalogUrl, now: new Date("2026-06-01T00:00:00Z"), log: { warn: () => {} } });
    expect(first).toMatchObject({ ok: true, providers: 1, models: 2, rejected: [] });
    await load();
    expect(catalogDataset()).toMatchObject({ source: "refreshed" });
    expect(getModel("acme-one")!.weights).toMatchObject({ inMicro: 1_000_000n, outMicro: 2_000_000n });
    expect(getModel("acme-two")).toBeDefined();
    // The bundled models are gone with the bundled dataset; the CNY providers' file stays on top.
    expect(getModel("gpt-4o")).toBeUndefined();
    expect(getModel("deepseek-chat")).toBeDefined();

    // A request reserved at the old price, still streaming when the price changes.
    releaseReply = () => {};
    const before = (await start("acme-one")) as StartSuccess;
    expect(before.ok).toBe(true);

    version = 2;
    const warned: string[] = [];
    const second = await refreshCatalog(db, { url: catalogUrl, now: new Date("2026-06-02T00:00:00Z"), log: { warn: (m: string) => warned.push(m) } });
    expect(second.ok).toBe(true);
    if (!second.ok) return;
    expect(second.models).toBe(1);
    expect(second.rejected.map((r) => r.path).sort()).toEqual(["acme/acme-bad", "broken"]);
    expect(warned).toHaveLength(2);
    expect(warned.join("\n")).toContain("acme/acme-bad");
    const rows = await db.select().from(catalogSnapshot);
    expect(rows).toHaveLength(2);
    expect(rows.find((r) => r.models === 1)!.rejected).toHaveLength(2);
    await load();
    expect(getModel("acme-one")!.weights).toMatchObject({ inMicro: 3_000_000n, outMicro: 6_000_000n });
    expect(getModel("acme-two")).toBeUndefined();
    expect(getModel("acme-bad")).toBeUndefined();

    releaseReply();
    releaseReply = null;
    for await (const _ of before.events) void _;
    const o1 = await before.done;
    const after = (await start("acme-one")) as StartSuccess;
    for await (const _ of after.events) void _;
    const o2 = await after.done;
    // 1000 in + 1000 out: 1000 × 1 + 1000 × 2 = 3000 at the old price; 3000 × 3 = 9000 at the new.
    expect(o1.planTokens).toBe(3_000n);
    expect(o2.planTokens).toBe(9_000n);
    const charged = await db.select().from(usage).where(eq(usage.userId, u!.id));
    expect(charged.map((r) => [r.weightInMicro, r.weightOutMicro, r.planTokens]).sort()).toEqual([
      [1_000_000n, 2_000_000n, 3_000n],
      [3_000_000n, 6_000_000n, 9_000n],
    ]);
    // A removed model is no longer callable.
    expect(await start("acme-two")).toMatchObject({ ok: false, code: "unknown_model" });
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("keeps the current catalog when the URL fails or serves nothing valid", async () => {
    const bad = createServer((_req, res) => {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify({ broken: { id: "broken", name: "x", models: { m: { id: 1 } } } }));
    });
    await new Promise<void>((r) => bad.listen(0, "127.0.0.1", r));
    const url = `http://127.0.0.1:${(bad.address() as AddressInfo).port}/`;
    expect(await refreshCatalog(db, { url, log: { warn: () => {} } })).toMatchObject({ ok: false, code: "invalid_catalog" });
    await new Promise((r) => bad.close(r));
    expect(await refreshCatalog(db, { url, timeoutMs: 2_000 })).toMatchObject({ ok: false, code: "fetch_failed" });
    const raw: RawCatalog | undefined = (await latestCatalogSnapshot(db))?.raw;
    expect(Object.keys(raw ?? {})).toEqual(["acme"]);
  });
});
