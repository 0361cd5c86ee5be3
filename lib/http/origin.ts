/**
 * State-changing route handlers that rely on the session cookie accept only same-origin
 * requests: a missing or foreign Origin is rejected (server actions get this from Next).
 */
export function isSameOrigin(req: Request): boolean {
  const origin = req.headers.get("origin");
  if (!origin) return false;
  const host = req.headers.get("x-forwarded-host") ?? req.headers.get("host");
  try {
    return new URL(origin).host === host;
  } catch {
    return false;
  }
}

export function rejectForeignOrigin(req: Request): Response | null {
  return isSameOrigin(req) ? null : Response.json({ ok: false, code: "bad_origin" }, { status: 403 });
}
