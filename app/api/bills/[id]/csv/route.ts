import { z } from "zod";
import { getCurrentUser } from "@/lib/auth/session";
import { getDb } from "@/lib/db";
import { billCsv } from "@/lib/billing/csv";

export const dynamic = "force-dynamic";

const csvInput = z.object({
  id: z.string().uuid(),
  model: z.string().max(200).optional(),
  day: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
});

/** A bill as CSV (UTF-8 with BOM). Someone else's bill id is a plain 404. */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("unauthenticated", { status: 401 });
  const url = new URL(req.url);
  const input = csvInput.safeParse({ id: (await params).id, model: url.searchParams.get("model") ?? undefined, day: url.searchParams.get("day") ?? undefined });
  if (!input.success) return new Response("not found", { status: 404 });
  const { id, model, day } = input.data;
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
