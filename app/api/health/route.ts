import { getDbHandle } from "@/lib/server/db";
import { describeError } from "@/lib/core/errors";

export const dynamic = "force-dynamic";

export async function GET() {
  const started = Date.now();
  try {
    const handle = await getDbHandle();
    await handle.ping();
    return Response.json({ ok: true, db: handle.kind, driver: handle.driver, latencyMs: Date.now() - started }, { headers: { "cache-control": "no-store" } });
  } catch (err) {
    console.error("[health] database unreachable", describeError(err));
    return Response.json({ ok: false, db: "unreachable" }, { status: 503, headers: { "cache-control": "no-store" } });
  }
}
