import { NextResponse, type NextRequest } from "next/server";

/**
 * A convenience redirect only: signed-out visitors of app pages go to /login without a
 * round of rendering. Every page and action still checks the session itself.
 *
 * And every page's Content-Security-Policy: scripts run only with this request's nonce (Next
 * reads it from the request's policy and puts it on its own scripts; 'strict-dynamic' lets those
 * load the rest), never inline code an attacker slipped into the page. A nonce changes per
 * request, so pages render dynamically (the root layout asks for it).
 */
const APP_PREFIXES = ["/chat", "/assistants", "/models", "/plans", "/bills", "/family", "/keys", "/settings"];

export function contentSecurityPolicy(nonce: string, dev = process.env.NODE_ENV === "development"): string {
  return [
    "default-src 'self'",
    // React's dev tools need eval; production never does.
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${dev ? " 'unsafe-eval'" : ""}`,
    // Inline style attributes (widths of bars, charts) carry no script.
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    "connect-src 'self'",
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "object-src 'none'",
  ].join("; ");
}

export function proxy(req: NextRequest) {
  const { pathname } = req.nextUrl;
  const hasSession = req.cookies.has("authjs.session-token") || req.cookies.has("__Secure-authjs.session-token");
  if (!hasSession && APP_PREFIXES.some((p) => pathname === p || pathname.startsWith(`${p}/`))) {
    const url = req.nextUrl.clone();
    url.pathname = "/login";
    url.search = "";
    return NextResponse.redirect(url);
  }
  const nonce = Buffer.from(crypto.randomUUID()).toString("base64");
  const csp = contentSecurityPolicy(nonce);
  const headers = new Headers(req.headers);
  headers.set("x-nonce", nonce);
  headers.set("content-security-policy", csp);
  const res = NextResponse.next({ request: { headers } });
  res.headers.set("content-security-policy", csp);
  return res;
}

export const config = { matcher: ["/((?!api|_next/static|_next/image|icon.svg|favicon.ico).*)"] };
