import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import { startDemoUpstream, type RunningServer } from "@/lib/demo/upstream/node-server";
import { flushAfterSettle, startMeteredCompletion, type PipelineConfig } from "./index";

/*
 * The caller's hook (an API key's rate decision and cap) and the family gate are asked together:
 * whichever refuses, the other's claim is given back and nothing is held.
 */

let server: RunningServer;
let db: Database;
let close: () => Promise<void>;
const NOW = new Date();
beforeAll(async () => {
  server = await startDemoUpstream({ port: 0 });
  ({ db, close } = await createTestDb());
});
afterAll(async () => {
  await flushAfterSettle();
  await server.close();
  await close();
});

async function payer() {
  const [u] = await db
    .insert(user)
    .values({ phone: `139${Math.floor(Math.random() * 1e8)}` })
    .returning();
  const w = await ensurePersonalWallet(db, { userId: u!.id });
  await grant(db, {
    walletId: w.id,
    kind: "trial",
    amount: 500_000n,
    expiresAt: new Date(NOW.getTime() + 86_400_000),
    source: "trial",
    idempotencyKey: `t:${u!.id}`,
  });
  return { userId: u!.id, walletId: w.id };
}

function run(
  who: { userId: string; walletId: string; walletKind?: "personal" },
  hook: () => Promise<{ ok: true } | { ok: false; code: string }>,
  gate: PipelineConfig["memberGate"],
) {
  const config: PipelineConfig = {
    demoMode: true,
    demoBaseUrl: server.baseUrl,
    providerKey: () => undefined,
    holdTtlSeconds: 600,
    upstreamHeaders: { "x-demo-ttft-ms": "20", "x-demo-tps": "0", "x-demo-tokens": "10" },
    memberGate: gate,
  };
  return startMeteredCompletion(db, {
    ...who,
    modelId: "deepseek-chat",
    messages: [{ role: "user", content: "你好" }],
    maxOutputTokens: 50,
    requestId: `r-${Math.random().toString(36).slice(2)}`,
    now: NOW,
    config,
    reportBalance: false,
    hooks: { beforeReserve: hook },
  });
}

describe("the hook and the family gate, asked together", () => {
  it("a hook refusal wins, the gate's claim is settled at 0, nothing is held", async () => {
    const who = await payer();
    const settled: bigint[] = [];
    let asked = 0;
    const r = await run(
      who,
      async () => ({ ok: false, code: "rate_limit_exceeded" }),
      async () => {
        asked++;
        return { ok: true, settle: async (c: bigint) => void settled.push(c) };
      },
    );
    expect(r).toMatchObject({ ok: false, code: "rate_limit_exceeded" });
    expect(asked).toBe(1);
    expect(settled).toEqual([0n]);
    expect((await getBalance(db, { walletId: who.walletId, now: new Date() })).held).toBe(0n);
  });

  it("a gate refusal is the answer when the hook passed; a gate that throws is given back too", async () => {
    const who = await payer();
    const r = await run(
      who,
      async () => ({ ok: true }),
      async () => ({ ok: false, code: "quiet_hours" as const }),
    );
    expect(r).toMatchObject({ ok: false, code: "quiet_hours" });
    const settled: bigint[] = [];
    await expect(
      run(
        who,
        async () => {
          throw new Error("hook broke");
        },
        async () => ({ ok: true, settle: async (c: bigint) => void settled.push(c) }),
      ),
    ).rejects.toThrow("hook broke");
    expect(settled).toEqual([0n]);
  });

  it("both passing: one reply, charged once", async () => {
    const who = await payer();
    const settled: bigint[] = [];
    const r = await run(
      who,
      async () => ({ ok: true }),
      async () => ({ ok: true, settle: async (c: bigint) => void settled.push(c) }),
    );
    if (!r.ok) throw new Error(r.code);
    for await (const _ of r.events) void _;
    const done = await r.done;
    expect(done.planTokens).toBeGreaterThan(0n);
    await flushAfterSettle();
    expect(settled).toEqual([done.planTokens]);
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("a personal wallet, named as such, is not asked about family controls", async () => {
    const who = await payer();
    let asked = 0;
    const r = await run(
      { ...who, walletKind: "personal" },
      async () => ({ ok: true }),
      async () => {
        asked++;
        return { ok: false, code: "quiet_hours" as const };
      },
    );
    if (!r.ok) throw new Error(r.code);
    for await (const _ of r.events) void _;
    await r.done;
    expect(asked).toBe(0);
  });
});
