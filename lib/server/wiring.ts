import "server-only";
import { env, providerEnv } from "@/lib/env";
import { getDb } from "@/lib/db";
import { startMeteredCompletion } from "@/lib/completion";
import { resolvePayingWallet } from "@/lib/ledger";
import { createGateway } from "@/lib/gateway/gateway";
import { DEMO_SECRET_HEADER, demoUpstreamSecret } from "@/lib/demo/upstream/secret";

const g = globalThis as unknown as { __unitokenGateway?: ReturnType<typeof createGateway> };

/**
 * The process-wide gateway, wired to the app's env and database: one key cache and one rate
 * limiter per app instance (on globalThis: Next bundles API routes, route handlers and server
 * actions separately). Served by pages/api/v1 (lib/gateway/http.ts says why).
 */
export function gateway() {
  g.__unitokenGateway ??= createGateway({
    db: getDb,
    start: startMeteredCompletion,
    payingWallet: resolvePayingWallet,
    config: {
      demoMode: env.demoMode,
      demoBaseUrl: env.DEMO_UPSTREAM_URL ?? ((req) => `${req.selfOrigin()}/api/demo-upstream/v1`),
      providerKey: providerEnv,
      holdTtlSeconds: env.HOLD_TTL_SECONDS,
      catalog: { referenceUsdPerM: env.REFERENCE_PRICE_USD_PER_M },
    },
    rateLimit: { limit: env.API_RATE_LIMIT_RPM, windowMs: 60_000 },
    forwardDemoHeaders: env.demoMode,
    demoUpstreamHeaders: () => ({ [DEMO_SECRET_HEADER]: demoUpstreamSecret(env.DEMO_UPSTREAM_SECRET) }),
  });
  return g.__unitokenGateway;
}
