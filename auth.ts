import NextAuth, { CredentialsSignin } from "next-auth";
import Credentials from "next-auth/providers/credentials";
import { headers } from "next/headers";
import { and, eq, gt, isNull } from "drizzle-orm";
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { randomBytes } from "node:crypto";
import path from "node:path";
import { env } from "@/lib/server/env";
import { getDb } from "@/lib/server/db";
import { authSession } from "@/lib/db/schema";
import { authCallbacks, readSessionId } from "@/lib/server/auth-callbacks";

/** Outside production a secret is made once and kept in .data/, so `npm run dev` needs no setup. */
function authSecret(): string | undefined {
  if (env.AUTH_SECRET) return env.AUTH_SECRET;
  if (env.isProduction && !env.demoMode) return undefined;
  const file = path.join(process.cwd(), ".data", "dev-auth-secret");
  if (!existsSync(file)) {
    mkdirSync(path.dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString("base64url"), { mode: 0o600 });
  }
  return readFileSync(file, "utf8").trim();
}

export const secret = authSecret();

class TicketRejected extends CredentialsSignin {
  code = "ticket_rejected";
}

/**
 * Phone + SMS code sign-in. The code is verified by our own server action (lib/auth/otp), which
 * then creates a server-side session row and hands its id to `signIn` as a one-time ticket;
 * `authorize` only accepts a fresh, not yet claimed session id, so a ticket can't be forged
 * or reused. The JWT cookie carries only that session id; every request re-checks it.
 */
export const { handlers, auth, signIn, signOut } = NextAuth({
  secret,
  trustHost: true,
  session: { strategy: "jwt", maxAge: 30 * 24 * 3600 },
  pages: { signIn: "/login" },
  providers: [
    Credentials({
      id: "sms-ticket",
      credentials: { ticket: {} },
      async authorize(credentials) {
        const ticket = typeof credentials?.ticket === "string" ? credentials.ticket : "";
        if (!ticket) throw new TicketRejected();
        const db = await getDb();
        const now = new Date();
        // Claim the ticket: only a session created within the last minute and never claimed.
        const [row] = await db
          .update(authSession)
          .set({ claimedAt: now })
          .where(
            and(
              eq(authSession.id, ticket),
              isNull(authSession.claimedAt),
              isNull(authSession.revokedAt),
              gt(authSession.createdAt, new Date(now.getTime() - 60_000)),
            ),
          )
          .returning({ id: authSession.id, userId: authSession.userId });
        if (!row) throw new TicketRejected();
        return { id: row.userId, sid: row.id } as { id: string; sid: string };
      },
    }),
  ],
  // The session id stays inside the sealed cookie (see currentSessionId), never in /api/auth/session.
  callbacks: authCallbacks,
});

/** The server-side session id inside this request's session cookie, or null. */
export async function currentSessionId(): Promise<string | null> {
  if (!secret) return null;
  return readSessionId(await headers(), secret);
}
