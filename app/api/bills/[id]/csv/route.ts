import { getCurrentUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { billCsv } from "@/lib/billing/csv";
import { billIdSchema, billQuerySchema } from "@/app/(app)/bills/query";

export const dynamic = "force-dynamic";

const csvQuery = billQuerySchema.pick({ model: true, day: true });

/** A single value per parameter: a repeated one is refused. */
function single(params: URLSearchParams): Record<string, string | string[]> {
  const out: Record<string, string | string[]> = {};
  for (const k of new Set(params.keys())) {
    const all = params.getAll(k);
    out[k] = all.length === 1 ? all[0]! : all;
  }
  return out;
}

/**
 * A bill as CSV (UTF-8 with BOM). Someone else's bill id, or one that is not an id, is a plain 404;
 * a malformed filter (a day that does not exist) is a 400, never a database error.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("unauthenticated", { status: 401 });
  const idParsed = billIdSchema.safeParse((await params).id);
  if (!idParsed.success) return new Response("not found", { status: 404 });
  const q = csvQuery.safeParse(single(new URL(req.url).searchParams));
  if (!q.success) return new Response("bad request", { status: 400 });
  const id = idParsed.data;
  const { model, day } = q.data;
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
