import "server-only";
import { env, providerEnv, serverOrigin } from "./env";
import { dbNowOrLater, getDb } from "./db";
import { smsSenderFromEnv } from "./sms-sender";
import type { Database } from "@/lib/db/types";
import type { SmsSender } from "@/lib/sms";
import { embeddedCarrier, type CarrierBillingAdapter } from "@/lib/billing/carrier";
import { demoBaseUrlFor, type CatalogOptions, type RouteOptions } from "@/lib/catalog";
import { notifyAfterSettle, startMeteredCompletion, type PipelineConfig, type PipelineHooks, type RoutingConfig } from "@/lib/completion";
import { RouteHealth, familyRouteCache } from "@/lib/routing";
import { PgWindowLimiter, RedisWindowLimiter, type RequestRateLimiter } from "@/lib/apikeys/rate-limit";
import Redis from "ioredis";
import { resolvePayingWallet, resolvePayingWallets } from "@/lib/ledger";
import { economySwitchLookup, onWalletDry } from "@/lib/plans/safety-net";
import { gateMember } from "@/lib/family/controls";
import { createGateway } from "@/lib/gateway/gateway";
import { DEMO_SECRET_HEADER, clientDemoKnobs, demoUpstreamSecret, lookupOf } from "@/lib/demo/upstream/secret";
import { databaseStore, type AttachmentStore } from "@/lib/files";

/*
 * The composition root: every adapter and config the app runs with is built here from the env,
 * and nowhere else. Domain code (lib/<domain>) takes these as arguments. No next/* import: the
 * /api/v1 pages (Pages Router) load this module, and next/headers is refused there; what a
 * request carries is read by its caller (lib/server/chat-config.ts) and passed in.
 */

/** How texts go out (SMS_SENDER): every sign-in code, invite, purchase code and alert. */
export function smsSender(db: Database): SmsSender {
  return smsSenderFromEnv(env, db);
}

/** Where attachments are kept: the database (the `attachment` table), on PGlite and PostgreSQL alike. */
export function attachmentStore(): AttachmentStore {
  return databaseStore;
}

/** How a purchase reaches the subscriber's phone bill: charges are recorded on our own bill. */
export function carrierBilling(): CarrierBillingAdapter {
  return embeddedCarrier;
}

/** The catalog as this deployment prices it (REFERENCE_PRICE_USD_PER_M). */
export function catalogOptions(): CatalogOptions {
  return { referenceUsdPerM: env.REFERENCE_PRICE_USD_PER_M };
}

/**
 * Route options for listing models and showing whether each is callable (live, demo,
 * unavailable). Nothing is called with them: calls take their demo address from the pipeline
 * config, so the placeholder only stands for "the demo upstream" when DEMO_UPSTREAM_URL is unset.
 */
export function routeOptions(): RouteOptions & { catalog: CatalogOptions } {
  return { providerKey: providerEnv, demoMode: env.demoMode, demoBaseUrl: env.DEMO_UPSTREAM_URL ?? "http://demo.invalid/v1", catalog: catalogOptions() };
}

/** Route ordering and failover (ROUTE_*): one route health per process, shared by chat and the API. */
const routeHealth = new RouteHealth({ failureThreshold: env.ROUTE_FAILURE_THRESHOLD, coolDownMs: env.ROUTE_COOL_DOWN_SECONDS * 1000 });
export function routingConfig(): RoutingConfig {
  return {
    health: routeHealth,
    defaultSort: env.ROUTE_SORT,
    attemptTimeoutMs: env.ROUTE_ATTEMPT_TIMEOUT_MS,
    deadlineMs: env.ROUTE_FAILOVER_DEADLINE_MS,
    // A family owner's narrowing, for every request the family wallet pays (chat and API alike).
    walletLayer: (db, walletId) => familyRouteCache().layer(db, walletId),
  };
}

/**
 * What runs after a completion settled: the plan's 50%/80%/100% allowance and member-cap alerts
 * of the paying wallet, texted through the app's SMS sender with a link to this server's pack page
 * (fire-and-forget, see lib/completion/alerts.ts).
 */
export function afterSettleHook(
  db: Database,
  { walletId, walletKind }: { walletId: string; walletKind?: "personal" | "family" },
): NonNullable<PipelineHooks["afterSettle"]> {
  return async (charged) =>
    notifyAfterSettle(db, { walletId, ...(walletKind ? { walletKind } : {}), now: new Date(), sender: smsSender(db), appUrl: serverOrigin(), charged });
}

/**
 * Demo mode only: the headers of the app's calls to the demo upstream. Its secret (the demo
 * upstream answers nothing else), and the pacing and failure knobs (x-demo-tps,
 * x-demo-fail-before, …) from the `demo_knobs` cookie (JSON), so slow or failing replies can be
 * shown and tested in the browser. Usage knobs from a browser are dropped (clientDemoKnobs).
 */
function demoHeaders(raw: string | undefined): Record<string, string> | undefined {
  if (!env.demoMode) return undefined;
  const out: Record<string, string> = {};
  if (raw) {
    try {
      const parsed = JSON.parse(decodeURIComponent(raw)) as Record<string, unknown>;
      const entries = Object.entries(parsed).flatMap(([k, v]): [string, string][] => (/^[\w.-]{1,16}$/.test(String(v)) ? [[k, String(v)]] : []));
      Object.assign(out, clientDemoKnobs(lookupOf(entries)));
    } catch {
      // an unreadable cookie sets no knobs
    }
  }
  out[DEMO_SECRET_HEADER] = demoUpstreamSecret(env.DEMO_UPSTREAM_SECRET);
  return out;
}

/**
 * 放心用: when a request finds its wallet dry, the payer's automatic pack (if they chose one),
 * charged to their phone bill through the carrier adapter and texted through the SMS sender.
 */
const safetyNet: NonNullable<PipelineConfig["safetyNet"]> = async (db, p) => {
  const r = await onWalletDry(db, { ...p, adapter: carrierBilling(), sender: smsSender(db) });
  if (r.action === "switch") economySwitches.switched(p);
  return r.action === "switch" ? { switchTo: r.modelId } : r.action === "retry";
};
/**
 * 放心用 "economy": a spender switched this cycle is served on the payer's economical model. A
 * spender never switched is remembered as such for 5 s per process (lib/plans/safety-net.ts says
 * why that is safe), so the usual request makes no query for it.
 */
const economySwitches = economySwitchLookup({ ttlMs: 5_000 });
const economyModel: NonNullable<PipelineConfig["economyModel"]> = (db, p) => economySwitches.economyModel(db, p);

/**
 * Family controls (quiet hours, allowed models, daily cap) for every hold a member asks for, chat
 * and /api/v1 alike; the day's counter learns what each request finally charged.
 */
const memberGate: NonNullable<PipelineConfig["memberGate"]> = gateMember;

/** Pipeline settings for chat sends, from the environment and the request's `demo_knobs` cookie. */
export function chatPipelineConfigFor({ demoKnobs }: { demoKnobs: string | undefined }): PipelineConfig {
  return {
    upstreamHeaders: demoHeaders(demoKnobs),
    demoMode: env.demoMode,
    // DEMO_UPSTREAM_URL, or this server's own address: never a request header's.
    demoBaseUrl: demoBaseUrlFor({ demoUpstreamUrl: env.DEMO_UPSTREAM_URL, origin: serverOrigin() }),
    providerKey: providerEnv,
    holdTtlSeconds: env.HOLD_TTL_SECONDS,
    catalog: catalogOptions(),
    routing: routingConfig(),
    safetyNet,
    economyModel,
    memberGate,
  };
}

const g = globalThis as unknown as { __unitokenGateway?: ReturnType<typeof createGateway>; __unitokenRedis?: Redis };

/**
 * Where the per-key rate limit counts: Redis when REDIS_URL is set, else PostgreSQL with
 * DATABASE_URL (both shared by every app instance), else in-process (the embedded database is one
 * process). One Redis connection per process; a command waits at most one reconnect, so a Redis
 * outage answers requests with an error instead of holding them.
 */
function apiRateLimiter(): RequestRateLimiter | undefined {
  const opts = { limit: env.API_RATE_LIMIT_RPM, windowMs: 60_000 };
  if (env.REDIS_URL) {
    g.__unitokenRedis ??= new Redis(env.REDIS_URL, { maxRetriesPerRequest: 1, connectTimeout: 2_000, enableAutoPipelining: true });
    return new RedisWindowLimiter(g.__unitokenRedis, opts);
  }
  if (env.DATABASE_URL) return new PgWindowLimiter(getDb, opts);
  return undefined;
}

/** The app's own header to the demo upstream (its secret): fixed for the process, one object for every call. */
let demoSecretHeaders: Record<string, string> | undefined;
const ownDemoHeaders = () => (demoSecretHeaders ??= { [DEMO_SECRET_HEADER]: demoUpstreamSecret(env.DEMO_UPSTREAM_SECRET) });

/**
 * The process-wide gateway of the OpenAI-compatible API, wired to the app's env and database:
 * one key cache and one rate limiter per app instance (on globalThis: Next bundles API routes,
 * route handlers and server actions separately). Served by pages/api/v1 (lib/gateway/http.ts says why).
 */
export function gateway() {
  g.__unitokenGateway ??= createGateway({
    db: dbNowOrLater,
    start: startMeteredCompletion,
    payingWallet: resolvePayingWallet,
    payingWallets: resolvePayingWallets,
    config: {
      demoMode: env.demoMode,
      demoBaseUrl: env.DEMO_UPSTREAM_URL ?? ((req) => `${req.selfOrigin()}/api/demo-upstream/v1`),
      providerKey: providerEnv,
      holdTtlSeconds: env.HOLD_TTL_SECONDS,
      catalog: catalogOptions(),
      routing: routingConfig(),
      safetyNet,
      economyModel,
      memberGate,
    },
    routeOptions: routeOptions(),
    afterSettle: afterSettleHook,
    rateLimit: { limit: env.API_RATE_LIMIT_RPM, windowMs: 60_000 },
    limiter: apiRateLimiter(),
    forwardDemoHeaders: env.demoMode ? clientDemoKnobs : undefined,
    demoUpstreamHeaders: ownDemoHeaders,
  });
  return g.__unitokenGateway;
}
