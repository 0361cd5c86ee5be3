import "server-only";
import { cookies } from "next/headers";
import { env, providerEnv, serverOrigin } from "@/lib/env";
import { demoBaseUrlFor } from "@/lib/catalog/route";
import { DEMO_SECRET_HEADER, clientDemoKnobs, demoUpstreamSecret } from "@/lib/demo/upstream/secret";
import type { PipelineConfig } from "@/lib/completion";

/**
 * Demo mode only: the headers of the app's calls to the demo upstream. Its secret (the demo
 * upstream answers nothing else), and the pacing and failure knobs (x-demo-tps,
 * x-demo-fail-before, …) from the `demo_knobs` cookie (JSON), so slow or failing replies can be
 * shown and tested in the browser. Usage knobs from a browser are dropped (clientDemoKnobs).
 */
async function demoHeaders(): Promise<Record<string, string> | undefined> {
  if (!env.demoMode) return undefined;
  const out: Record<string, string> = {};
  const raw = (await cookies()).get("demo_knobs")?.value;
  if (raw) {
    try {
      const parsed = JSON.parse(decodeURIComponent(raw)) as Record<string, unknown>;
      const entries = Object.entries(parsed).flatMap(([k, v]): [string, string][] => (/^[\w.-]{1,16}$/.test(String(v)) ? [[k, String(v)]] : []));
      Object.assign(out, clientDemoKnobs(entries));
    } catch {
      // an unreadable cookie sets no knobs
    }
  }
  out[DEMO_SECRET_HEADER] = demoUpstreamSecret(env.DEMO_UPSTREAM_SECRET);
  return out;
}

/** Pipeline settings for chat sends, from the environment and the request. */
export async function chatPipelineConfig(): Promise<PipelineConfig> {
  return {
    upstreamHeaders: await demoHeaders(),
    demoMode: env.demoMode,
    // DEMO_UPSTREAM_URL, or this server's own address: never a request header's.
    demoBaseUrl: demoBaseUrlFor({ demoUpstreamUrl: env.DEMO_UPSTREAM_URL, origin: serverOrigin() }),
    providerKey: providerEnv,
    holdTtlSeconds: env.HOLD_TTL_SECONDS,
    catalog: { referenceUsdPerM: env.REFERENCE_PRICE_USD_PER_M },
  };
}

export function chatRouteOptions(demoBaseUrl = "http://demo.invalid/v1") {
  return { providerKey: providerEnv, demoMode: env.demoMode, demoBaseUrl, catalog: { referenceUsdPerM: env.REFERENCE_PRICE_USD_PER_M } };
}
