import "server-only";
import { cookies, headers } from "next/headers";
import { env, providerEnv } from "@/lib/env";
import { demoBaseUrlFor } from "@/lib/catalog/route";
import type { PipelineConfig } from "@/lib/pipeline";

/** The request's own origin (the in-app demo upstream lives there). */
async function requestOrigin(): Promise<string> {
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "127.0.0.1:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("127.0.0.1") || host.startsWith("localhost") ? "http" : "https");
  return `${proto}://${host}`;
}

/**
 * Demo mode only: the demo upstream's knobs (x-demo-tps, x-demo-fail-before, …) from the
 * `demo_knobs` cookie (JSON), so slow or failing replies can be shown and tested in the browser.
 */
async function demoKnobs(): Promise<Record<string, string> | undefined> {
  if (!env.demoMode) return undefined;
  const raw = (await cookies()).get("demo_knobs")?.value;
  if (!raw) return undefined;
  try {
    const parsed = JSON.parse(decodeURIComponent(raw)) as Record<string, unknown>;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed)) if (/^x-demo-[a-z-]{1,30}$/.test(k) && /^[\w.-]{1,16}$/.test(String(v))) out[k] = String(v);
    return out;
  } catch {
    return undefined;
  }
}

/** Pipeline settings for chat sends, from the environment and the request. */
export async function chatPipelineConfig(): Promise<PipelineConfig> {
  return {
    upstreamHeaders: await demoKnobs(),
    demoMode: env.demoMode,
    demoBaseUrl: demoBaseUrlFor({ demoUpstreamUrl: env.DEMO_UPSTREAM_URL, origin: env.DEMO_UPSTREAM_URL ? "" : await requestOrigin() }),
    providerKey: providerEnv,
    holdTtlSeconds: env.HOLD_TTL_SECONDS,
    catalog: { referenceUsdPerM: env.REFERENCE_PRICE_USD_PER_M },
  };
}

export function chatRouteOptions(demoBaseUrl = "http://demo.invalid/v1") {
  return { providerKey: providerEnv, demoMode: env.demoMode, demoBaseUrl, catalog: { referenceUsdPerM: env.REFERENCE_PRICE_USD_PER_M } };
}
