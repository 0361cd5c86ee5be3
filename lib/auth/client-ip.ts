import { randomBytes } from "node:crypto";
import { isIP } from "node:net";

/**
 * The TCP peer's address, written onto every incoming request by the server process itself
 * (installPeerAddressHeader, from instrumentation.ts) as `<proof> <address>`, replacing any value
 * the client sent. The proof is a random per-process secret, so a request the server took in
 * before the header was installed (Next accepts connections while it starts) cannot pass off a
 * forged value: without the proof the peer is unknown.
 */
export const PEER_HEADER = "x-unitoken-peer";

const INSTALLED = Symbol.for("unitoken.peerAddressHeader");
const PROOF = Symbol.for("unitoken.peerAddressProof");

function proof(): string {
  const g = globalThis as unknown as Record<symbol, string | undefined>;
  return (g[PROOF] ??= randomBytes(16).toString("hex"));
}

/** `::ffff:1.2.3.4` → `1.2.3.4`; anything that is not an IP → null. */
export function normalizeIp(value: string | null | undefined): string | null {
  if (!value) return null;
  let v = value.trim();
  if (v.startsWith("[") && v.includes("]")) v = v.slice(1, v.indexOf("]"));
  if (/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(v)) v = v.slice(7);
  return isIP(v) ? v : null;
}

/**
 * The client's address. With no trusted proxy (`trustedHops` = 0) it is the TCP peer and
 * X-Forwarded-For is ignored; behind N proxies it is the N-th address from the right of
 * [...X-Forwarded-For, peer] — the rightmost one no trusted proxy of ours wrote (a client can
 * prepend anything, never append). A chain shorter than that gives its leftmost address.
 */
export function selectClientIp({ peer, forwardedFor, trustedHops }: { peer: string | null; forwardedFor: string | null; trustedHops: number }): string | null {
  if (trustedHops <= 0) return normalizeIp(peer);
  const hops = (forwardedFor ?? "")
    .split(",")
    .map((h) => h.trim())
    .filter((h) => h.length > 0);
  const chain = [...hops, peer ?? ""];
  const at = Math.max(0, chain.length - 1 - trustedHops);
  return normalizeIp(chain[at]);
}

type HttpModule = { Server: { prototype: object } };
type Emit = (this: unknown, event: string | symbol, ...args: unknown[]) => boolean;

/**
 * Makes every request an http.Server of this process emits carry its socket's remote address in
 * PEER_HEADER, replacing whatever the client sent. Idempotent.
 */
export function installPeerAddressHeader(http: HttpModule): void {
  const proto = http.Server.prototype as Record<PropertyKey, unknown>;
  if (proto[INSTALLED]) return;
  const emit = proto.emit as Emit;
  const tag = proof();
  proto.emit = function (this: unknown, event: string | symbol, ...args: unknown[]) {
    if (event === "request") {
      const req = args[0] as { headers: Record<string, unknown>; socket?: { remoteAddress?: string } | null };
      req.headers[PEER_HEADER] = `${tag} ${req.socket?.remoteAddress ?? ""}`;
    }
    return emit.call(this, event, ...args);
  } satisfies Emit;
  Object.defineProperty(proto, INSTALLED, { value: true });
}

/** Whether this process writes PEER_HEADER. */
export function peerAddressHeaderInstalled(http: HttpModule): boolean {
  return Boolean((http.Server.prototype as Record<PropertyKey, unknown>)[INSTALLED]);
}

/** The peer address from PEER_HEADER when this process wrote it, else null. */
export function peerFromHeader(value: string | null | undefined): string | null {
  if (!value) return null;
  const space = value.indexOf(" ");
  if (space < 0 || value.slice(0, space) !== proof()) return null;
  return normalizeIp(value.slice(space + 1));
}
