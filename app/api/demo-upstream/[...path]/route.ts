import { env } from "@/lib/env";
import { handleDemoRequest } from "@/lib/upstream/demo-server";

/**
 * The embedded demo upstream at /api/demo-upstream/v1 (chat/completions, models): the same
 * handler as `npm run upstream:demo`. Served only in demo mode.
 */
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

function handle(req: Request): Promise<Response> | Response {
  if (!env.demoMode) return Response.json({ error: { message: "Demo upstream is off (DEMO_MODE)", type: "invalid_request_error", code: "demo_off" } }, { status: 404 });
  return handleDemoRequest(req);
}

export const GET = handle;
export const POST = handle;
