import { z } from "zod";
import { getTranslations } from "next-intl/server";
import { getModel } from "@/lib/catalog";
import { exportConversation, exportFilename, exportMarkdown } from "@/lib/chat/export";
import { isUuid } from "@/lib/chat";
import { DomainError } from "@/lib/core/errors";
import { getCurrentUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { routeOptions } from "@/lib/server/wiring";

export const dynamic = "force-dynamic";

const query = z.object({ format: z.enum(["md", "json"]) });

/**
 * The owner's conversation as Markdown (`?format=md`) or JSON (`?format=json`), as a download.
 * Signed out is a 401; someone else's id, or one that is not an id, is a plain 404.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("unauthenticated", { status: 401 });
  const { id } = await params;
  if (!isUuid(id)) return new Response("not found", { status: 404 });
  const url = new URL(req.url);
  const q = query.safeParse({ format: url.searchParams.get("format") ?? undefined });
  if (!q.success || url.searchParams.getAll("format").length > 1) return new Response("bad request", { status: 400 });
  const opts = routeOptions();
  let data;
  try {
    data = await exportConversation(await getDb(), {
      userId: user.id,
      conversationId: id,
      now: new Date(),
      modelName: (m) => getModel(m, opts.catalog)?.name ?? m,
    });
  } catch (e) {
    if (e instanceof DomainError && e.code === "not_found") return new Response("not found", { status: 404 });
    throw e;
  }
  const t = await getTranslations("chatTools.export");
  const md = q.data.format === "md";
  const body = md ? exportMarkdown(data, { you: t("you"), untitled: t("untitled") }) : `${JSON.stringify(data, null, 2)}\n`;
  const filename = exportFilename(data.title, q.data.format);
  return new Response(body, {
    headers: {
      "content-type": md ? "text/markdown; charset=utf-8" : "application/json; charset=utf-8",
      // RFC 6266: an ASCII fallback and the real (Chinese) name percent-encoded.
      "content-disposition": `attachment; filename="conversation.${q.data.format}"; filename*=UTF-8''${encodeURIComponent(filename)}`,
      "cache-control": "no-store",
    },
  });
}
