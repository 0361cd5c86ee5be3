import "server-only";
import { z } from "zod";
import { headers } from "next/headers";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import type { Database } from "@/lib/db/types";
import type { SessionUser } from "@/lib/auth/accounts";
import { fail, toFailure, type Failure } from "@/lib/errors";

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

/** The client's IP as the proxy in front reports it (first hop), for rate limits. */
export async function clientIp(): Promise<string | null> {
  const h = await headers();
  const fwd = h.get("x-forwarded-for");
  if (fwd) return fwd.split(",")[0]!.trim();
  return h.get("x-real-ip") ?? "127.0.0.1";
}
