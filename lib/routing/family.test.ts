import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { usage } from "@/lib/db/schema";
import { addMember, reconcileLedger } from "@/lib/ledger";
import { buildCatalog, type RawCatalog } from "@/lib/catalog";
import { createApiKey } from "@/lib/apikeys/keys";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig } from "@/lib/completion";
import { familyOwner, person } from "@/lib/testing/family";
import { gateMember, setMemberControls } from "@/lib/family/controls";
import { client, testGateway } from "@/lib/testing/gateway-harness";
import { RouteHealth } from "./health";
import { FamilyRouteCache, familyRouteCache, getFamilyRoutes, setFamilyRoutes } from "./family";

/*
 * A family owner narrows the family's routes: two local upstreams offer one model, the cheaper
 * first; the owner's `only`/`ignore`/`sort` decide which one serves the members' chat and API
 * requests, a request cannot widen it, and only the owner can change it.
 */

const calls: Record<string, number> = {};
function upstream(name: string): Server {
  return createServer((req, res) => {
    calls[name] = (calls[name] ?? 0) + 1;
    req.resume();
    req.on("end", () => {
      res.writeHead(200, { "content-type": "text/event-stream" });
      const chunk = (delta: object, finish: string | null = null) =>
        res.write(`data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", choices: [{ index: 0, delta, finish_reason: finish }] })}\n\n`);
      chunk({ content: `来自 ${name}` });
      chunk({}, "stop");
      res.write(`data: ${JSON.stringify({ id: "x", object: "chat.completion.chunk", choices: [], usage: { prompt_tokens: 20, completion_tokens: 4 } })}\n\n`);
      res.end("data: [DONE]\n\n");
    });
  });
}

const servers: Server[] = [];
let raw: RawCatalog;
let db: Database;
let close: () => Promise<void>;
const NOW = new Date();

beforeAll(async () => {
  const ports: Record<string, number> = {};
  for (const name of ["cheap", "dear"]) {
    const s = upstream(name);
    servers.push(s);
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    ports[name] = (s.address() as AddressInfo).port;
  }
  const provider = (id: string, input: number, output: number): RawCatalog[string] => ({
    id,
    name: id,
    api: `http://127.0.0.1:${ports[id]}/v1`,
    npm: "@ai-sdk/openai-compatible",
    env: [`${id.toUpperCase()}_API_KEY`],
    models: { "route-test-model": { id: "route-test-model", name: "Route test", cost: { input, output }, limit: { context: 64_000, output: 4_096 } } },
  });
  raw = { cheap: provider("cheap", 0.1, 0.2), dear: provider("dear", 1, 2) };
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  for (const s of servers) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
  await close();
});

const known = new Set(["cheap", "dear"]);

function pipelineConfig(cache: FamilyRouteCache): PipelineConfig {
  return {
    demoMode: false,
    demoBaseUrl: "http://demo.invalid/v1",
    providerKey: (name) => (name.endsWith("_API_KEY") ? "sk-local" : undefined),
    holdTtlSeconds: 600,
    catalog: { built: buildCatalog(raw, { now: NOW }) },
    routing: { health: new RouteHealth(), walletLayer: (d, walletId) => cache.layer(d, walletId) },
  };
}

async function family() {
  const { owner, walletId } = await familyOwner(db, { pool: 5_000_000n });
  const member = await person(db, "孩子");
  await addMember(db, { walletId, userId: member.id });
  return { owner, member, walletId };
}

async function chatAs(userId: string, walletId: string, cache: FamilyRouteCache, provider?: { only?: string[]; sort?: "price" | "latency" }) {
  const r = await startMeteredCompletion(db, {
    userId,
    walletId,
    modelId: "route-test-model",
    messages: [{ role: "user", content: "你好" }],
    maxOutputTokens: 100,
    requestId: `r-${Math.random().toString(36).slice(2)}`,
    now: NOW,
    config: pipelineConfig(cache),
    reportBalance: false,
    ...(provider ? { routing: [provider] } : {}),
  });
  if (!r.ok) return { code: r.code };
  let text = "";
  for await (const ev of r.events) text += ev.text;
  const done = await r.done;
  const [u] = await db.select().from(usage).where(eq(usage.id, done.usageId!));
  return { text, route: u!.providerRoute };
}

describe("a family owner's route narrowing", () => {
  it("only the owner reads or sets it; providers must exist and leave one to call", async () => {
    const { owner, member } = await family();
    expect(await getFamilyRoutes(db, { ownerUserId: owner.id })).toEqual({ ok: true, routes: { only: [], ignore: [], sort: null, updatedAt: null } });
    // A member, or someone with no family, finds nothing to read or change.
    expect(await getFamilyRoutes(db, { ownerUserId: member.id })).toEqual({ ok: false, code: "not_found" });
    expect(await setFamilyRoutes(db, { ownerUserId: member.id, input: { only: ["dear"], ignore: [], sort: null }, knownProviders: known, now: NOW })).toEqual({
      ok: false,
      code: "not_found",
    });
    expect(await setFamilyRoutes(db, { ownerUserId: owner.id, input: { only: ["nope"], ignore: [], sort: null }, knownProviders: known, now: NOW })).toEqual({
      ok: false,
      code: "unknown_provider",
      provider: "nope",
    });
    expect(
      await setFamilyRoutes(db, { ownerUserId: owner.id, input: { only: ["dear"], ignore: ["dear"], sort: null }, knownProviders: known, now: NOW }),
    ).toEqual({
      ok: false,
      code: "no_provider_left",
    });
    const set = await setFamilyRoutes(db, {
      ownerUserId: owner.id,
      input: { only: ["dear", "dear"], ignore: [], sort: "latency" },
      knownProviders: known,
      now: NOW,
    });
    expect(set).toMatchObject({ ok: true, routes: { only: ["dear"], ignore: [], sort: "latency" } });
    expect(await getFamilyRoutes(db, { ownerUserId: owner.id })).toMatchObject({ ok: true, routes: { only: ["dear"], sort: "latency" } });
  });

  it("routes the members' chats as the owner said, a request cannot widen it, and a change applies at once", async () => {
    const { owner, member, walletId } = await family();
    const cache = familyRouteCache();
    // No narrowing: cheapest first.
    expect(await chatAs(member.id, walletId, cache)).toMatchObject({ route: "cheap", text: "来自 cheap" });
    await setFamilyRoutes(db, { ownerUserId: owner.id, input: { only: [], ignore: ["cheap"], sort: null }, knownProviders: known, now: NOW });
    const before = calls.cheap ?? 0;
    expect(await chatAs(member.id, walletId, cache)).toMatchObject({ route: "dear", text: "来自 dear" });
    expect(await chatAs(owner.id, walletId, cache)).toMatchObject({ route: "dear" });
    // The request asks for the ignored provider only: no route is left, nothing is called or charged.
    expect(await chatAs(member.id, walletId, cache, { only: ["cheap"] })).toEqual({ code: "model_unavailable" });
    expect(calls.cheap ?? 0).toBe(before);
    // Cleared: cheapest first again.
    await setFamilyRoutes(db, { ownerUserId: owner.id, input: { only: [], ignore: [], sort: null }, knownProviders: known, now: NOW });
    expect(await chatAs(member.id, walletId, cache)).toMatchObject({ route: "cheap" });
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("applies to a member's API key requests too", async () => {
    const { owner, member, walletId } = await family();
    await setFamilyRoutes(db, { ownerUserId: owner.id, input: { only: ["dear"], ignore: [], sort: null }, knownProviders: known, now: NOW });
    const { text: apiKey } = await createApiKey(db, { userId: member.id, name: "agent", now: NOW });
    const cfg = pipelineConfig(familyRouteCache());
    const gw = testGateway(db, "http://demo.invalid/v1", { config: { ...cfg, demoBaseUrl: cfg.demoBaseUrl } });
    const reply = await client(gw, apiKey).chat.completions.create({ model: "route-test-model", messages: [{ role: "user", content: "你好" }] });
    expect(reply.choices[0]!.message.content).toBe("来自 dear");
    const [u] = await db.select().from(usage).where(eq(usage.userId, member.id));
    expect(u).toMatchObject({ walletId, providerRoute: "dear" });
  });

  it("a member's API request still meets the family's controls (the gate is skipped for personal wallets only)", async () => {
    const { owner, member } = await family();
    await setMemberControls(db, {
      ownerUserId: owner.id,
      memberUserId: member.id,
      controls: { allowedModels: ["deepseek-chat"], economyOnly: false, dailyCapTokens: null, quiet: null },
      now: NOW,
    });
    const { text: apiKey } = await createApiKey(db, { userId: member.id, name: "agent", now: NOW });
    const cfg = { ...pipelineConfig(familyRouteCache()), memberGate: gateMember };
    const gw = testGateway(db, "http://demo.invalid/v1", { config: cfg });
    const err = await client(gw, apiKey)
      .chat.completions.create({ model: "route-test-model", messages: [{ role: "user", content: "你好" }] })
      .catch((e: { status: number; code: string }) => e);
    expect(err).toMatchObject({ status: 403, code: "model_not_allowed" });
    // The owner's own key (the family wallet too, no controls for the owner) is served.
    const { text: ownerKey } = await createApiKey(db, { userId: owner.id, name: "owner", now: NOW });
    const ok = await client(gw, ownerKey).chat.completions.create({ model: "route-test-model", messages: [{ role: "user", content: "你好" }] });
    expect(ok.choices[0]!.message.content).toMatch(/^来自 /);
  });
});
