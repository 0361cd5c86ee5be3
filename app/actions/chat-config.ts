import "server-only";
import { headers } from "next/headers";
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

/** Pipeline settings for chat sends, from the environment and the request. */
export async function chatPipelineConfig(): Promise<PipelineConfig> {
  return {
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
