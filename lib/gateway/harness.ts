import OpenAI from "openai";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant } from "@/lib/ledger";
import { startMeteredCompletion } from "@/lib/pipeline";
import { resolvePayingWallet } from "@/lib/accounts/wallet";
import { defaultKeyVerifier } from "@/lib/apikeys/verify";
import { createApiKey, type CreateKeyInput } from "@/lib/apikeys/keys";
import { createGateway, type GatewayOptions } from "./gateway";

/**
 * Test wiring: the gateway's route functions behind a fetch the official openai client calls,
 * so the client, HTTP semantics and SSE framing are real without starting Next.
 */
export function gatewayFetch(gw: ReturnType<typeof createGateway>): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const req = new Request(input, init);
    const { pathname } = new URL(req.url);
    if (pathname === "/v1/chat/completions" && req.method === "POST") return gw.chatCompletions(req);
    if (pathname === "/v1/models" && req.method === "GET") return gw.models(req);
    return new Response(JSON.stringify({ error: { message: "not found", type: "invalid_request_error", param: null, code: null } }), { status: 404 });
  }) as typeof fetch;
}

export function testGateway(db: Database, demoBaseUrl: string, over: Partial<GatewayOptions> = {}) {
  return createGateway({
    db: () => db,
    start: startMeteredCompletion,
    payingWallet: resolvePayingWallet,
    config: { demoMode: true, demoBaseUrl, providerKey: () => undefined, holdTtlSeconds: 600, drain: { ms: 2_000, chars: 16_000 } },
    rateLimit: { limit: 1000, windowMs: 60_000 },
    // The process-wide verifier, as the app routes use: a revoke in this process drops it at once.
    verifier: defaultKeyVerifier,
    forwardDemoHeaders: true,
    ...over,
  });
}

export function client(gw: ReturnType<typeof createGateway>, apiKey: string, headers: Record<string, string> = {}) {
  return new OpenAI({ apiKey, baseURL: "http://gateway.test/v1", fetch: gatewayFetch(gw), maxRetries: 0, defaultHeaders: headers });
}

/** A user with a personal wallet holding `tokens` and one API key. */
export async function userWithKey(
  db: Database,
  { phone, tokens, now, key }: { phone: string; tokens: bigint; now: Date; key?: Partial<Omit<CreateKeyInput, "userId" | "now">> },
) {
  const [u] = await db.insert(user).values({ phone }).returning();
  const w = await ensurePersonalWallet(db, { userId: u!.id });
  if (tokens > 0n) {
    await grant(db, { walletId: w.id, kind: "credit", amount: tokens, expiresAt: new Date(now.getTime() + 30 * 86_400_000), source: "test", idempotencyKey: `grant:${u!.id}` });
  }
  const { key: k, text } = await createApiKey(db, { userId: u!.id, name: "test", now, ...key });
  return { userId: u!.id, walletId: w.id, keyId: k.id, apiKey: text };
}
