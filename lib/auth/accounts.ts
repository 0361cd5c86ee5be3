import { randomBytes } from "node:crypto";
import { and, eq, gt, isNull } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { authSession, user, type User } from "@/lib/db/schema";

export const SESSION_TTL_MS = 30 * 24 * 3600_000;

/**
 * Sign-up is sign-in: finds the account of a phone or creates it. `onNewUser` provisions a new
 * account (wallet, free trial) and runs only for the call that created it.
 */
export async function findOrCreateUser(
  db: Database,
  opts: { phone: string; now: Date; onNewUser?: (db: Database, user: User) => Promise<void> },
): Promise<{ user: User; created: boolean }> {
  const inserted = await db.insert(user).values({ phone: opts.phone, createdAt: opts.now }).onConflictDoNothing({ target: user.phone }).returning();
  if (inserted[0]) {
    await opts.onNewUser?.(db, inserted[0]);
    return { user: inserted[0], created: true };
  }
  const [existing] = await db.select().from(user).where(eq(user.phone, opts.phone));
  if (!existing) throw new Error("user vanished");
  return { user: existing, created: false };
}

/** A new server-side session for each sign-in (rotation): the cookie carries only its id. */
export async function createSession(db: Database, opts: { userId: string; now: Date; ip?: string | null; userAgent?: string | null }): Promise<string> {
  const id = randomBytes(32).toString("base64url");
  await db.insert(authSession).values({
    id,
    userId: opts.userId,
    createdAt: opts.now,
    expiresAt: new Date(opts.now.getTime() + SESSION_TTL_MS),
    ip: opts.ip ?? null,
    userAgent: opts.userAgent?.slice(0, 300) ?? null,
  });
  await db.update(user).set({ lastSignInAt: opts.now }).where(eq(user.id, opts.userId));
  return id;
}

export type SessionUser = Pick<User, "id" | "phone" | "name" | "role" | "locale">;

/** The user of a live session, or null when it is unknown, expired or revoked. */
export async function getSessionUser(db: Database, { sessionId, now }: { sessionId: string; now: Date }): Promise<SessionUser | null> {
  const [row] = await db
    .select({ id: user.id, phone: user.phone, name: user.name, role: user.role, locale: user.locale })
    .from(authSession)
    .innerJoin(user, eq(user.id, authSession.userId))
    .where(and(eq(authSession.id, sessionId), isNull(authSession.revokedAt), gt(authSession.expiresAt, now)));
  return row ?? null;
}

export async function revokeSession(db: Database, { sessionId, now }: { sessionId: string; now: Date }): Promise<void> {
  await db
    .update(authSession)
    .set({ revokedAt: now })
    .where(and(eq(authSession.id, sessionId), isNull(authSession.revokedAt)));
}

/** Signs a user out on every device. Returns how many sessions were live. */
export async function revokeAllSessions(db: Database, { userId, now }: { userId: string; now: Date }): Promise<number> {
  const rows = await db
    .update(authSession)
    .set({ revokedAt: now })
    .where(and(eq(authSession.userId, userId), isNull(authSession.revokedAt), gt(authSession.expiresAt, now)))
    .returning({ id: authSession.id });
  return rows.length;
}

export async function listSessions(db: Database, { userId }: { userId: string }) {
  return db.select().from(authSession).where(eq(authSession.userId, userId));
}
