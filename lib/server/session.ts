import "server-only";
import { cache } from "react";
import { notFound, redirect } from "next/navigation";
import { currentSessionId } from "@/auth";
import { getDb } from "@/lib/server/db";
import { getSessionUser, type SessionUser } from "@/lib/auth/accounts";

/** The signed-in user of this request, checked against the server-side session row. */
export const getCurrentUser = cache(async (): Promise<(SessionUser & { sessionId: string }) | null> => {
  const sid = await currentSessionId();
  if (!sid) return null;
  const db = await getDb();
  const u = await getSessionUser(db, { sessionId: sid, now: new Date() });
  return u ? { ...u, sessionId: sid } : null;
});

/** For pages: the user, or a redirect to sign-in. */
export async function requireUser(): Promise<SessionUser & { sessionId: string }> {
  const u = await getCurrentUser();
  if (!u) redirect("/login");
  return u;
}

/** For the support console: staff only; everyone else gets a 404 that reveals nothing. */
export async function requireStaff(): Promise<SessionUser & { sessionId: string }> {
  const u = await getCurrentUser();
  if (!u || u.role !== "support") notFound();
  return u;
}
