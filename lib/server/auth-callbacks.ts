import type { NextAuthConfig } from "next-auth";
import { getToken } from "next-auth/jwt";

/**
 * next-auth callbacks. The JWT (sealed in the cookie) carries the server-side session id; the
 * session object, which /api/auth/session hands to any script in the page, never does.
 */
export const authCallbacks = {
  jwt({ token, user }) {
    if (user) {
      token.sid = (user as { sid?: string }).sid;
      token.sub = user.id;
    }
    return token;
  },
  session({ session, token }) {
    return { ...session, userId: token.sub } as typeof session;
  },
} satisfies NextAuthConfig["callbacks"];

/** The server-side session id sealed in a request's session cookie, or null. */
export async function readSessionId(headers: Headers, secret: string): Promise<string | null> {
  // next-auth names the cookie __Secure-… on https; both are sealed with the secret.
  const secureCookie = /(?:^|;\s*)__Secure-authjs\.session-token(?:\.\d+)?=/.test(headers.get("cookie") ?? "");
  try {
    const token = await getToken({ req: { headers }, secret, secureCookie });
    return typeof token?.sid === "string" ? token.sid : null;
  } catch {
    return null;
  }
}
