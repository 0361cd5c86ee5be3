import "server-only";
import { z } from "zod";
import { headers } from "next/headers";
import { getCurrentUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import type { Database } from "@/lib/db/types";
import type { SessionUser } from "@/lib/auth/accounts";
import { fail, toFailure, type Failure } from "@/lib/core/errors";
import http from "node:http";
import { env } from "@/lib/server/env";
import { installPeerAddressHeader, PEER_HEADER, peerFromHeader, selectClientIp } from "@/lib/auth/client-ip";

type Ctx = { db: Database; user: SessionUser & { sessionId: string }; now: Date };

/**
 * Builds a server action that authenticates (session from the cookie, never from input),
 * authorizes (role), validates (zod) and turns thrown domain errors into `{ ok: false, code }`.
 */
function build<R extends "subscriber" | "support" | "any">(role: R) {
  return function action<S extends z.ZodType, T extends object>(schema: S, handler: (input: z.infer<S>, ctx: Ctx) => Promise<({ ok: true } & T) | Failure>) {
    return async (raw: z.input<S>): Promise<({ ok: true } & T) | Failure> => {
      const user = await getCurrentUser();
      if (!user) return fail("unauthenticated");
      if (role === "support" && user.role !== "support") return fail("not_found");
      const parsed = schema.safeParse(raw);
      if (!parsed.success) {
        return { ok: false, code: "invalid_input", details: { issues: parsed.error.issues.map((i) => ({ path: i.path.join("."), message: i.message })) } };
      }
      try {
        return await handler(parsed.data, { db: await getDb(), user, now: new Date() });
      } catch (err) {
        return toFailure(err);
      }
    };
  };
}

/** A signed-in user's action (subscribers and staff alike act on their own account). */
export const userAction = build("any");
/** A customer-service action: staff role required; others are told nothing exists. */
export const staffAction = build("support");

let peerWarned = false;

/**
 * The client's IP, for rate limits and the session record: the TCP peer (written by the server
 * itself, see instrumentation.ts), or behind TRUSTED_PROXY_HOPS proxies the rightmost
 * X-Forwarded-For hop they did not write. Never the client's own say-so: null when the peer is
 * unknown (a request taken in before the server recorded peers).
 */
export async function clientIp(): Promise<string | null> {
  const h = await headers();
  installPeerAddressHeader(http);
  const peer = peerFromHeader(h.get(PEER_HEADER));
  if (!peer) {
    if (!peerWarned) console.warn("[unitoken] a request without a recorded peer address: client IP unknown");
    peerWarned = true;
    return null;
  }
  return selectClientIp({ peer, forwardedFor: h.get("x-forwarded-for"), trustedHops: env.TRUSTED_PROXY_HOPS });
}
