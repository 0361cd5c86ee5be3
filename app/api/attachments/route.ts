import { z } from "zod";
import { getCurrentUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { attachmentStore } from "@/lib/server/wiring";
import { FILE_LIMITS, uploadAttachment } from "@/lib/files";
import { rejectForeignOrigin } from "@/lib/http/origin";

export const dynamic = "force-dynamic";

/** The multipart form's own overhead on top of the file. */
const FORM_OVERHEAD = 64 * 1024;
const form = z.object({ file: z.instanceof(File) });

const STATUS: Record<string, number> = { file_too_large: 413, unsupported_type: 415, type_mismatch: 415 };

/**
 * Uploads one attachment (multipart field `file`) for the signed-in user. The server reads the
 * type from the bytes, checks the limits and extracts a document's text; a refused file is
 * `{ ok: false, code, details }` with a 4xx and nothing is stored. Same-origin only.
 */
export async function POST(req: Request) {
  const foreign = rejectForeignOrigin(req);
  if (foreign) return foreign;
  const user = await getCurrentUser();
  if (!user) return Response.json({ ok: false, code: "unauthenticated" }, { status: 401 });
  const declared = Number(req.headers.get("content-length") ?? "NaN");
  if (Number.isFinite(declared) && declared > FILE_LIMITS.documentBytes + FORM_OVERHEAD)
    return Response.json({ ok: false, code: "file_too_large", details: { size: declared, limit: FILE_LIMITS.documentBytes } }, { status: 413 });
  let data: FormData;
  try {
    data = await req.formData();
  } catch {
    return Response.json({ ok: false, code: "invalid_input" }, { status: 400 });
  }
  const parsed = form.safeParse({ file: data.get("file") });
  if (!parsed.success) return Response.json({ ok: false, code: "invalid_input" }, { status: 400 });
  const file = parsed.data.file;
  if (file.size > FILE_LIMITS.documentBytes)
    return Response.json({ ok: false, code: "file_too_large", details: { size: file.size, limit: FILE_LIMITS.documentBytes } }, { status: 413 });
  const bytes = new Uint8Array(await file.arrayBuffer());
  const r = await uploadAttachment(await getDb(), attachmentStore(), { userId: user.id, name: file.name, bytes, now: new Date() });
  if (!r.ok) return Response.json(r, { status: STATUS[r.code] ?? 422 });
  return Response.json(r, { headers: { "cache-control": "no-store" } });
}
