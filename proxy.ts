import { NextResponse, type NextRequest } from "next/server";

/**
 * A convenience redirect only: signed-out visitors of app pages go to /login without a
 * round of rendering. Every page and action still checks the session itself.
 */
const APP_PREFIXES = ["/chat", "/models", "/plans", "/bills", "/family", "/keys", "/settings"];

export function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  const hasSession = req.cookies.has("authjs.session-token") || req.cookies.has("__Secure-authjs.session-token");
  if (!hasSession && APP_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = "";
    return NextResponse.redirect(url);
  }
  return NextResponse.next();
}

export const config = { matcher: ["/((?!api|_next/static|_next/image|icon.svg|favicon.ico).*)"] };
