import "server-only";
import { notFound } from "next/navigation";
import { getModel, resolveRoute } from "@/lib/catalog";
import { getDb } from "@/lib/server/db";
import { requireUser } from "@/lib/server/session";
import { findConversation, listConversations, loadConversationTree } from "@/lib/chat";
import { routeOptions } from "@/lib/server/wiring";
import { ChatScreen } from "@/components/chat/chat-screen";
import type { ChatMessageView, ModelView } from "@/components/chat/types";
import type { AssistantStart } from "@/components/chat/assistant-intro";
import { resolveAssistant, systemPromptTokens, type ResolvedAssistant } from "@/lib/chat/assistants";
import { conversationFiles } from "@/lib/chat/attachments";
import { toAttachmentView } from "@/lib/files";
import { getTranslations } from "next-intl/server";

export const DEFAULT_CHAT_MODEL = "deepseek-chat";

/** What the chat screen shows of an assistant before the first message (built-ins in the user's language). */
async function assistantStart(a: ResolvedAssistant): Promise<AssistantStart> {
  const t = await getTranslations("chatTools.gallery");
  const text = (k: "name" | "description" | "opening") => (a.slug ? t(`${a.slug}.${k}`) : null);
  return {
    ref: a.ref,
    name: a.name ?? text("name") ?? "",
    icon: a.icon,
    description: a.description ?? text("description") ?? "",
    openingLine: a.openingLine ?? text("opening") ?? "",
    promptTokens: systemPromptTokens(a.systemPrompt),
  };
}

/** The assistant a stored conversation was started from, as its header names it (null: none). */
async function startedFrom(
  db: Awaited<ReturnType<typeof getDb>>,
  userId: string,
  c: { assistantRef: string | null; assistantName: string | null },
): Promise<{ name: string; icon: string } | null> {
  if (!c.assistantRef) return null;
  const a = await resolveAssistant(db, { userId, ref: c.assistantRef });
  // One's own assistant deleted since: the name it had when the conversation started.
  if (!a) return c.assistantName ? { name: c.assistantName, icon: "sparkles" } : null;
  const s = await assistantStart(a);
  return { name: s.name || c.assistantName || "", icon: s.icon };
}

export function modelView(id: string): ModelView | null {
  const opts = routeOptions();
  const m = getModel(id, opts.catalog);
  if (!m || m.hidden) return null;
  const r = resolveRoute(m, opts);
  if (!r) return null;
  return {
    id: m.id,
    name: m.name,
    family: m.family ?? null,
    inMicro: m.weights.inMicro.toString(),
    outMicro: m.weights.outMicro.toString(),
    context: m.limits.context,
    route: r.kind,
    recommended: !!m.recommended,
    vision: m.capabilities.imageInput,
  };
}

/** /chat and /chat/[id]: the user's conversations and, for an id they own, its messages. */
export async function ChatPage({
  conversationId,
  requestedModel,
  requestedAssistant,
}: {
  conversationId: string | null;
  requestedModel?: string | null;
  requestedAssistant?: string | null;
}) {
  const user = await requireUser();
  const db = await getDb();
  const conversation = conversationId ? await findConversation(db, { userId: user.id, conversationId }) : null;
  // Someone else's conversation looks exactly like a missing one.
  if (conversationId && !conversation) notFound();
  const [tree, conversations] = await Promise.all([
    conversation ? loadConversationTree(db, { userId: user.id, conversationId: conversation.id }) : Promise.resolve({ messages: [], leafId: null }),
    listConversations(db, { userId: user.id }),
  ]);
  const files = conversation ? await conversationFiles(db, { userId: user.id, conversationId: conversation.id }) : new Map();
  const rows = tree.messages;
  // Every branch goes to the screen (it switches between them without asking); it opens on the stored one.
  const messages: ChatMessageView[] = rows.map((m) => ({
    ...(files.has(m.id) ? { attachments: files.get(m.id)!.map(toAttachmentView) } : {}),
    id: m.id,
    role: m.role,
    parentId: m.parentId,
    content: m.content,
    modelId: m.modelId,
    status: m.status === "streaming" ? "ok" : m.status,
    errorCode: m.errorCode,
    planTokens: m.role === "assistant" ? (m.planTokens ?? 0n).toString() : null,
    // Still being generated (the tab that sent it closed, or another device sent it): followed live.
    ...(m.status === "streaming" ? { streaming: true } : {}),
    ...(m.switchedFromModelId ? { switchedFrom: m.switchedFromModelId } : {}),
  }));
  const modelNames: Record<string, string> = {};
  for (const id of new Set(rows.map((m) => m.modelId))) modelNames[id] = getModel(id)?.name ?? id;
  const lastModel = conversation?.modelId ?? [...rows].reverse().find((m) => m.role === "assistant")?.modelId ?? DEFAULT_CHAT_MODEL;
  // A new chat opened from a model's page (/chat?model=…) starts on that model when the catalog
  // can serve it; anything else falls back to the default, never to an unpriced id.
  // A new chat from an assistant (/chat?assistant=…): only a built-in one or the user's own.
  const assistant = !conversation && requestedAssistant ? await resolveAssistant(db, { userId: user.id, ref: requestedAssistant }) : null;
  const requested = (assistant ? modelView(assistant.modelId) : null) ?? (!conversation && requestedModel ? modelView(requestedModel) : null);
  const initialModel = requested ??
    modelView(lastModel) ??
    modelView(DEFAULT_CHAT_MODEL) ?? {
      id: DEFAULT_CHAT_MODEL,
      name: "DeepSeek Chat",
      family: null,
      inMicro: "0",
      outMicro: "0",
      context: 0,
      route: "demo" as const,
      recommended: true,
    };
  return (
    <ChatScreen
      key={conversation?.id ?? `new:${initialModel.id}:${assistant?.ref ?? ""}`}
      conversationId={conversation?.id ?? null}
      title={conversation?.title ?? null}
      initialMessages={messages}
      initialLeafId={tree.leafId}
      conversations={conversations.map((c) => ({ id: c.id, title: c.title, updatedAt: c.updatedAt.toISOString() }))}
      initialModel={initialModel}
      modelNames={modelNames}
      assistant={assistant ? await assistantStart(assistant) : null}
      startedFrom={conversation ? await startedFrom(db, user.id, conversation) : null}
    />
  );
}
