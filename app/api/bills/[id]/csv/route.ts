import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { billCsv } from "@/lib/billing/csv";

export const dynamic = "force-dynamic";

/** A bill as CSV (UTF-8 with BOM). Someone else's bill id is a plain 404. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("unauthenticated", { status: 401 });
  const { id } = await params;
  const url = new URL(req.url);
  const model = url.searchParams.get("model") ?? undefined;
  const day = url.searchParams.get("day") ?? undefined;
  const csv = await billCsv(await getDb(), { billId: id, userId: user.id, filter: { modelId: model, day } });
  if (!csv) return new Response("not found", { status: 404 });
  return new Response(csv.body, {
    headers: {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${csv.filename}"`,
      "cache-control": "no-store",
    },
  });
}
