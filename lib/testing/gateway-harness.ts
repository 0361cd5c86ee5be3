import http from "node:http";
import OpenAI from "openai";
import Anthropic from "@anthropic-ai/sdk";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { ensurePersonalWallet, grant } from "@/lib/ledger";
import { startMeteredCompletion } from "@/lib/completion";
import { resolvePayingWallet } from "@/lib/ledger";
import { defaultKeyVerifier } from "@/lib/apikeys/verify";
import { createApiKey, type CreateKeyInput } from "@/lib/apikeys/keys";
import { createGateway, type GatewayOptions } from "@/lib/gateway/gateway";
import { nodeRoute } from "@/lib/gateway/http";
import { clientDemoKnobs } from "@/lib/demo/upstream/secret";

type Gateway = ReturnType<typeof createGateway>;
const servers = new WeakMap<Gateway, Promise<string>>();

/**
 * Test wiring: the gateway's Node route handlers (the ones pages/api/v1 exports) on a plain
 * node:http server on a free port, started on first use, so the openai client, HTTP and SSE
 * framing are real without starting Next.
 */
export function serveGateway(gw: Gateway): Promise<string> {
  let base = servers.get(gw);
  if (!base) {
    const chat = nodeRoute("POST", (r) => gw.chatCompletions(r));
    const models = nodeRoute("GET", (r) => gw.models(r));
    const embeddings = nodeRoute("POST", (r) => gw.embeddings(r));
    const messages = nodeRoute("POST", (r) => gw.messages(r));
    const countTokens = nodeRoute("POST", (r) => gw.countMessageTokens(r));
    const server = http.createServer((req, res) => {
      const path = new URL(req.url ?? "/", "http://localhost").pathname;
      if (path === "/v1/chat/completions") return void chat(req, res);
      if (path === "/v1/models") return void models(req, res);
      if (path === "/v1/embeddings") return void embeddings(req, res);
      if (path === "/v1/messages") return void messages(req, res);
      if (path === "/v1/messages/count_tokens") return void countTokens(req, res);
      res.writeHead(404, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: "not found", type: "invalid_request_error", param: null, code: null } }));
    });
    base = new Promise((resolve) =>
      server.listen(0, "127.0.0.1", () => {
        server.unref();
        resolve(`http://127.0.0.1:${(server.address() as { port: number }).port}`);
      }),
    );
    servers.set(gw, base);
  }
  return base;
}

/** A fetch that sends http://gateway.test/… to the gateway's server. */
export function gatewayFetch(gw: Gateway): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = input instanceof Request ? input.url : String(input);
    return fetch(url.replace(/^http:\/\/gateway\.test/, await serveGateway(gw)), init);
  }) as typeof fetch;
}

export function testGateway(db: Database, demoBaseUrl: string, over: Partial<GatewayOptions> = {}) {
  return createGateway({
    db: () => db,
    start: startMeteredCompletion,
    payingWallet: resolvePayingWallet,
    config: { demoMode: true, demoBaseUrl, providerKey: () => undefined, holdTtlSeconds: 600 },
    rateLimit: { limit: 1000, windowMs: 60_000 },
    // The process-wide verifier, as the app routes use: a revoke in this process drops it at once.
    verifier: defaultKeyVerifier,
    forwardDemoHeaders: clientDemoKnobs,
    ...over,
  });
}

/** The official Anthropic client against the gateway's /v1/messages. */
export function anthropicClient(gw: Gateway, apiKey: string, headers: Record<string, string> = {}) {
  return new Anthropic({ apiKey, baseURL: "http://gateway.test", fetch: gatewayFetch(gw), maxRetries: 0, defaultHeaders: headers });
}

export function client(gw: Gateway, apiKey: string, headers: Record<string, string> = {}) {
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
    await grant(db, {
      walletId: w.id,
      kind: "credit",
      amount: tokens,
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      source: "test",
      idempotencyKey: `grant:${u!.id}`,
    });
  }
  const { key: k, text } = await createApiKey(db, { userId: u!.id, name: "test", now, ...key });
  return { userId: u!.id, walletId: w.id, keyId: k.id, apiKey: text };
}
