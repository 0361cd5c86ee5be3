import { randomBytes, timingSafeEqual } from "node:crypto";

/**
 * The header the app sends on its own calls to the demo upstream. The demo upstream answers only
 * calls that carry the secret, so a browser or any other client cannot reach it directly, nor set
 * its knobs. x-demo-* headers go only to the demo upstream, never to a real provider
 * (lib/upstream/stream.ts).
 */
export const DEMO_SECRET_HEADER = "x-demo-secret";

const g = globalThis as unknown as { __unitokenDemoSecret?: string };

/**
 * The secret the app and its in-app demo upstream share: the configured one (DEMO_UPSTREAM_SECRET,
 * for a standalone demo upstream), else one made at random for this process. Kept on globalThis:
 * Next bundles route handlers, server actions and API routes separately within one process.
 */
export function demoUpstreamSecret(configured?: string): string {
  if (configured) return configured;
  g.__unitokenDemoSecret ??= randomBytes(32).toString("base64url");
  return g.__unitokenDemoSecret;
}

/** Constant-time comparison of a presented secret with the expected one. */
export function isDemoSecret(presented: string | null | undefined, expected: string): boolean {
  if (!presented) return false;
  const a = Buffer.from(presented);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * The demo knobs a browser (chat's demo_knobs cookie) or an API client may set: pacing and
 * failures. Never usage (x-demo-no-usage, x-demo-zero-usage: what is charged follows a real
 * provider's report, never a client's wish) and never the secret.
 */
const CLIENT_KNOBS = new Set([
  "x-demo-ttft-ms",
  "x-demo-tps",
  "x-demo-tokens",
  "x-demo-max-tokens",
  "x-demo-fail-before",
  "x-demo-fail-after-chunks",
  "x-demo-fail-mode",
]);

/**
 * The client's knobs among its headers, looked up by name (`header` answers for a lower-case
 * name): seven lookups, whatever else the request carries.
 */
export function clientDemoKnobs(header: (name: string) => string | undefined): Record<string, string> | undefined {
  let out: Record<string, string> | undefined;
  for (const name of CLIENT_KNOBS) {
    const v = header(name);
    if (v !== undefined) (out ??= {})[name] = v;
  }
  return out;
}

/** A lookup by lower-case name over name/value pairs named in any case (a cookie's knobs). */
export function lookupOf(entries: Iterable<[string, string]>): (name: string) => string | undefined {
  const byName = new Map<string, string>();
  for (const [k, v] of entries) byName.set(k.toLowerCase(), v);
  return (name) => byName.get(name);
}
