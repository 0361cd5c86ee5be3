import { env } from "@/lib/server/env";
import { createDemoHandler, demoUpstreamSecret } from "@/lib/server/demo";

/**
 * The embedded demo upstream at /api/demo-upstream/v1 (chat/completions, models): the same
 * handler as `npm run upstream:demo`. Served only in demo mode, and only to the app's own calls
 * (the x-demo-secret header): a browser or another client gets 403.
 */
export const dynamic = "force-dynamic";
export const runtime = "nodejs";

const handleDemo = createDemoHandler({ secret: () => demoUpstreamSecret(env.DEMO_UPSTREAM_SECRET) });

function handle(req: Request): Promise<Response> | Response {
  if (!env.demoMode)
    return Response.json({ error: { message: "Demo upstream is off (DEMO_MODE)", type: "invalid_request_error", code: "demo_off" } }, { status: 404 });
  return handleDemo(req);
}

export const GET = handle;
export const POST = handle;
