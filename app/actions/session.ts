"use server";
import { cookies } from "next/headers";
import { signOut } from "@/auth";
import { getDb } from "@/lib/server/db";
import { getCurrentUser } from "@/lib/server/session";
import { revokeSession } from "@/lib/auth/accounts";
import { LOCALE_COOKIE, toLocale } from "@/lib/i18n/config";
import { user as userTable } from "@/lib/db/schema";
import { eq } from "drizzle-orm";

/** Ends this browser's session server-side, then clears the cookie. */
export async function signOutAction(): Promise<void> {
  const u = await getCurrentUser();
  if (u) await revokeSession(await getDb(), { sessionId: u.sessionId, now: new Date() });
  await signOut({ redirectTo: "/login" });
}

export async function setLocaleAction(locale: string): Promise<void> {
  const l = toLocale(locale);
  (await cookies()).set(LOCALE_COOKIE, l, { path: "/", maxAge: 365 * 24 * 3600, sameSite: "lax" });
  const u = await getCurrentUser();
  if (u) await (await getDb()).update(userTable).set({ locale: l }).where(eq(userTable.id, u.id));
}
