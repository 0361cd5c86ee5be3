import { z } from "zod";
import { getModel, resolveRoute } from "@/lib/catalog";
import { isUuid } from "@/lib/chat";
import { followReply, requestStop } from "@/lib/chat/live";
import { usageRequestId } from "@/lib/completion";
import { getBalance, resolvePayingWallet } from "@/lib/ledger";
import { rejectForeignOrigin } from "@/lib/http/origin";
import { getCurrentUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { routeOptions } from "@/lib/server/wiring";
import { stopInflight } from "@/lib/chat";

export const dynamic = "force-dynamic";

const query = z.object({ reply: z.string().uuid().optional() });
const stopBody = z.object({ requestId: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/) });

/**
 * Follows the owner's newest reply in a conversation (or `?reply=<id>`) as server-sent events:
 * the text so far, then the rest live wherever it runs, then the done event a send ends with
 * (cost, balance). A finished reply comes back whole. Each event is `data: <ChatStreamEvent JSON>`.
 * Signed out is a 401; someone else's conversation, or one without a reply, a 404.
 */
export async function GET(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const user = await getCurrentUser();
  if (!user) return new Response("unauthenticated", { status: 401 });
  const { id } = await params;
  const url = new URL(req.url);
  const q = query.safeParse({ reply: url.searchParams.get("reply") ?? undefined });
  if (!isUuid(id)) return new Response("not found", { status: 404 });
  if (!q.success) return new Response("bad request", { status: 400 });
  const db = await getDb();
  const opts = routeOptions();
  const events = await followReply(db, {
    userId: user.id,
    conversationId: id,
    replyId: q.data.reply,
    balance: async () => {
      const w = await resolvePayingWallet(db, { userId: user.id });
      const b = await getBalance(db, { walletId: w.walletId, now: new Date() });
      return { available: b.available.toString(), held: b.held.toString() };
    },
    routeKind: (modelId) => {
      const m = getModel(modelId, opts.catalog);
      return (m && resolveRoute(m, opts)?.kind) || "demo";
    },
  });
  if (!events) return new Response("not found", { status: 404 });
  const enc = new TextEncoder();
  const body = new ReadableStream<Uint8Array>({
    async pull(controller) {
      const n = await events.next();
      if (n.done) controller.close();
      else controller.enqueue(enc.encode(`data: ${JSON.stringify(n.value)}\n\n`));
    },
    cancel() {
      // The follower left; the reply itself goes on.
      void events.return(undefined);
    },
  });
  req.signal.addEventListener("abort", () => void events.return(undefined), { once: true });
  return new Response(body, {
    headers: {
      "content-type": "text/event-stream; charset=utf-8",
      "cache-control": "no-store",
      "x-accel-buffering": "no",
    },
  });
}

/**
 * Stops the owner's running reply (`{ requestId }`, as the start event names it) from any device:
 * asked through the database, so whichever instance runs it stops within a second and settles
 * what was produced. 200 `{ ok, stopped }` (false when it had already ended).
 */
export async function DELETE(req: Request, { params }: { params: Promise<{ id: string }> }) {
  const bad = rejectForeignOrigin(req);
  if (bad) return bad;
  const user = await getCurrentUser();
  if (!user) return Response.json({ ok: false, code: "unauthenticated" }, { status: 401 });
  const { id } = await params;
  if (!isUuid(id)) return Response.json({ ok: false, code: "not_found" }, { status: 404 });
  const parsed = stopBody.safeParse(await req.json().catch(() => null));
  if (!parsed.success) return Response.json({ ok: false, code: "invalid_input" }, { status: 400 });
  const key = usageRequestId(user.id, parsed.data.requestId);
  const stopped = await requestStop(await getDb(), { userId: user.id, requestId: key, now: new Date(), conversationId: id });
  void stopInflight(key);
  return Response.json({ ok: true, stopped });
}
