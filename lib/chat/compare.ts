import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { conversation, message } from "@/lib/db/schema";
import { usageRequestId, type PipelineConfig, type PipelineHooks } from "@/lib/completion";
import { describeError } from "@/lib/core/errors";
import { findConversation, isStorableText, listMessages, titleFrom } from "./conversations";
import { branchPoint } from "./history";
import { resolveAssistant } from "./assistants";
import { sendChat, type DoneEvent } from "./send";
import { columnRequestId, type ChatStreamEvent, type CompareEvent } from "./wire";

/** Side by side: one question to this many models at once. */
export const COMPARE_MIN_MODELS = 2;
export const COMPARE_MAX_MODELS = 3;

export { columnRequestId };

export type CompareInput = {
  userId: string;
  walletId: string;
  conversationId?: string;
  newConversationId?: string;
  content: string;
  /** The message the question follows (see SendChatInput.parentId). */
  parentId?: string | null;
  /** 2 or 3 distinct models, in column order. */
  modelIds: string[];
  assistantRef?: string;
  requestId: string;
  now: Date;
  config: PipelineConfig;
  /** Per column: stops that column's stream (its own Stop). */
  signals?: AbortSignal[];
  /** Per column: the pipeline's hooks (the 单条确认 gate and after-settle alerts). */
  hooks?: (column: number) => PipelineHooks | undefined;
};

export type CompareResult =
  | {
      ok: true;
      conversationId: string;
      events: AsyncIterable<CompareEvent>;
      /** Every column's end: its stored reply, or its refusal. */
      done: Promise<({ column: number } & ({ ok: true; done: DoneEvent } | { ok: false; code: string }))[]>;
      /** Each running column's own end (null: refused), so its Stop can wait for it. */
      columnDone: (Promise<DoneEvent> | null)[];
    }
  | { ok: false; code: string; details?: Record<string, unknown> };

/**
 * One question to 2–3 models side by side. The question is stored once; each model answers it as
 * a sibling reply through the ordinary send path (sendChat, regenerating under the question), so
 * each column is its own metered request: its own hold, its own settle and usage row, its own
 * request id (columnRequestId) for idempotent retries and its own Stop. A column refused (balance,
 * cap, an unknown model) shows its refusal while the others answer; when every column is refused
 * nothing is kept and nothing is charged. The question's history follows the branch named by
 * `parentId` exactly as a plain send's does.
 */
export async function sendComparison(db: Database, input: CompareInput): Promise<CompareResult> {
  const { userId, now } = input;
  const models = input.modelIds;
  if (models.length < COMPARE_MIN_MODELS || models.length > COMPARE_MAX_MODELS || new Set(models).size !== models.length) {
    return { ok: false, code: "invalid_input" };
  }
  if (!input.content.trim() || !isStorableText(input.content)) return { ok: false, code: "invalid_input" };
  const scoped = usageRequestId(userId, input.requestId);

  // Where the question goes: an own conversation (and an own parent in it), or a new one.
  let conversationId: string;
  let title: string;
  let created = false;
  let parentId: string | null = null;
  if (input.conversationId) {
    const c = await findConversation(db, { userId, conversationId: input.conversationId });
    if (!c) return { ok: false, code: "not_found" };
    conversationId = c.id;
    title = c.title;
    const all = await listMessages(db, { userId, conversationId });
    const point = branchPoint(all, { storedLeaf: c.currentLeafId, parentId: input.parentId });
    if (!point.ok) return point;
    parentId = point.parentId;
  } else {
    if (!input.newConversationId) return { ok: false, code: "invalid_input" };
    const [taken] = await db.select({ owner: conversation.ownerUserId }).from(conversation).where(eq(conversation.id, input.newConversationId)).limit(1);
    if (taken && taken.owner !== userId) return { ok: false, code: "invalid_input" };
    conversationId = input.newConversationId;
    title = titleFrom(input.content);
    if (!taken) {
      const a = input.assistantRef ? await resolveAssistant(db, { userId, ref: input.assistantRef }) : null;
      if (input.assistantRef && !a) return { ok: false, code: "not_found" };
      const inserted = await db
        .insert(conversation)
        .values({
          id: conversationId,
          ownerUserId: userId,
          title,
          modelId: models[0]!,
          createdAt: now,
          updatedAt: now,
          ...(a
            ? {
                systemPrompt: a.systemPrompt,
                temperatureTenths: a.temperatureTenths,
                maxOutputTokens: a.maxOutputTokens,
                assistantRef: a.ref,
                assistantName: a.name,
              }
            : {}),
        })
        .onConflictDoNothing()
        .returning({ id: conversation.id });
      created = inserted.length > 0;
    }
  }

  // The question, stored once (a retried comparison finds it by its request id).
  let questionId: string;
  let insertedQuestion = false;
  const [existing] = await db
    .select({ id: message.id, conversationId: message.conversationId })
    .from(message)
    .where(and(eq(message.requestId, scoped), eq(message.role, "user"), eq(message.ownerUserId, userId)))
    .limit(1);
  if (existing) {
    if (existing.conversationId !== conversationId) return { ok: false, code: "duplicate_request" };
    questionId = existing.id;
  } else {
    const [m] = await db
      .insert(message)
      .values({ conversationId, ownerUserId: userId, parentId, role: "user", content: input.content, modelId: models[0]!, requestId: scoped, createdAt: now })
      .returning({ id: message.id });
    questionId = m!.id;
    insertedQuestion = true;
    await db.update(conversation).set({ currentLeafId: questionId, updatedAt: now }).where(eq(conversation.id, conversationId));
  }

  // Every column at once, each the ordinary metered send of a sibling reply under the question.
  const starts = await Promise.all(
    models.map((modelId, column) =>
      sendChat(db, {
        userId,
        walletId: input.walletId,
        conversationId,
        regenerate: true,
        parentId: questionId,
        modelId,
        requestId: columnRequestId(input.requestId, column),
        // The replies sort after the question, in column order.
        now: new Date(now.getTime() + column),
        config: input.config,
        signal: input.signals?.[column],
        hooks: input.hooks?.(column),
      }).catch((e) => {
        console.error("[chat] a comparison column failed to start", describeError(e));
        return { ok: false as const, code: "internal", details: undefined as Record<string, unknown> | undefined };
      }),
    ),
  );

  if (starts.every((s) => !s.ok)) {
    // Nothing ran: keep nothing (a question no model answered), charge nothing.
    if (insertedQuestion) await db.delete(message).where(and(eq(message.id, questionId), eq(message.ownerUserId, userId)));
    if (created) await db.delete(conversation).where(and(eq(conversation.id, conversationId), eq(conversation.ownerUserId, userId)));
    const first = starts[0] as { ok: false; code: string; details?: Record<string, unknown> };
    return { ok: false, code: first.code, details: first.details };
  }

  const done = Promise.all(
    starts.map(async (s, column) => (s.ok ? { column, ok: true as const, done: await s.done } : { column, ok: false as const, code: s.code })),
  );

  async function* events(): AsyncIterable<CompareEvent> {
    yield { type: "question", conversationId, title, userMessageId: questionId, modelIds: models };
    for (const [column, s] of starts.entries()) {
      if (!s.ok) yield { type: "refused", column, code: s.code, details: s.details ?? null };
    }
    // The columns' events, interleaved as they come.
    const its = starts.map((s) => (s.ok ? s.events[Symbol.asyncIterator]() : null));
    const next = (column: number) => its[column]!.next().then((r) => ({ column, r }));
    const pending = new Map<number, Promise<{ column: number; r: IteratorResult<ChatStreamEvent> }>>();
    for (const [column, it] of its.entries()) if (it) pending.set(column, next(column));
    try {
      while (pending.size > 0) {
        const { column, r } = await Promise.race(pending.values());
        if (r.done) {
          pending.delete(column);
          continue;
        }
        pending.set(column, next(column));
        yield { type: "column", column, event: r.value };
      }
    } finally {
      // The reader left early (the tab closed): every column stops and settles what it delivered.
      for (const [column] of pending) void its[column]!.return?.();
    }
  }

  return { ok: true, conversationId, events: events(), done, columnDone: starts.map((s) => (s.ok ? s.done : null)) };
}
