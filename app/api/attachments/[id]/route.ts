import { getCurrentUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { attachmentStore } from "@/lib/server/wiring";
import { rejectForeignOrigin } from "@/lib/http/origin";

export const dynamic = "force-dynamic";

const notFound = () => new Response("not found", { status: 404 });

/**
 * The owner's attachment: an image inline (the message's thumbnail), a document as a download.
 * Someone else's id, or one that is not an id, is a plain 404.
 */
export async function GET(_req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("unauthenticated", { status: 401 });
  const { id } = await params;
  const a = await attachmentStore().get(await getDb(), { ownerUserId: user.id, id });
  if (!a) return notFound();
  const image = a.kind === "image";
  return new Response(Buffer.from(a.content), {
    headers: {
      "content-type": image ? a.mime : "application/octet-stream",
      "content-length": String(a.content.byteLength),
      "content-disposition": `${image ? "inline" : "attachment"}; filename="file"; filename*=UTF-8''${encodeURIComponent(a.name)}`,
      // Private to the signed-in owner; the id never changes its bytes.
      "cache-control": "private, max-age=86400",
    },
  });
}

/** Removes an attachment not yet sent (a chip's ×). Same-origin only; a foreign id is a 404. */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const foreign = rejectForeignOrigin(req);
  if (foreign) return foreign;
  const user = await getCurrentUser();
  if (!user) return Response.json({ ok: false, code: "unauthenticated" }, { status: 401 });
  const { id } = await params;
  const gone = await attachmentStore().delete(await getDb(), { ownerUserId: user.id, id });
  return gone ? Response.json({ ok: true }) : Response.json({ ok: false, code: "not_found" }, { status: 404 });
}
