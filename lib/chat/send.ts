import { and, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { conversation, message, type Message } from "@/lib/db/schema";
import { getModel } from "@/lib/catalog";
import { startMeteredCompletion, usageRequestId, type PipelineConfig, type PipelineHooks, type PipelineMessage, type StartFailure } from "@/lib/completion";
import { countChatTokens } from "@/lib/metering";
import { planTokens } from "@/lib/metering";
import { findConversation, isStorableText, listMessages, titleFrom } from "./conversations";
import { branchPoint } from "./history";
import { describeError } from "@/lib/core/errors";
import { resolveAssistant } from "./assistants";
import type { ChatStreamEvent, DoneEvent, ReplyStatus } from "./wire";
import { checkTurnFits, linkFiles, loadImages, prepareFiles, type FileParts } from "./attachments";
import type { AttachmentStore } from "@/lib/files";

/** Chat replies are capped at this many tokens (the hold is sized for it). */
export const CHAT_MAX_OUTPUT_TOKENS = 4096;
/** A reply the balance can still afford is shortened down to this before we say "insufficient". */
export const CHAT_MIN_OUTPUT_TOKENS = 256;

export type { ReplyStatus, ChatStreamEvent, DoneEvent } from "./wire";

export type SendChatInput = {
  userId: string;
  walletId: string;
  /** Absent for a new conversation; `newConversationId` names it (chosen by the client). */
  conversationId?: string;
  newConversationId?: string;
  /** The user's new message; absent when regenerating a reply. */
  content?: string;
  regenerate?: boolean;
  /**
   * The message the new one follows (the branch on screen): undefined for the conversation's
   * current leaf, null for a new first message. Regenerating answers the last user message at or
   * above it with a sibling reply; an edit is a new message under the edited one's parent.
   */
  parentId?: string | null;
  modelId: string;
  /** A new conversation started from an assistant: "builtin:<slug>" or one of the user's own. */
  assistantRef?: string;
  requestId: string;
  now: Date;
  config: PipelineConfig;
  signal?: AbortSignal;
  /** The pipeline's hooks (the app's after-settle alerts, built by the composition root). */
  hooks?: PipelineHooks;
  /** Files uploaded for this message (lib/files), and where their bytes are kept. */
  attachmentIds?: string[];
  attachmentStore?: AttachmentStore;
};

export type SendChatResult = { ok: true; conversationId: string; events: AsyncIterable<ChatStreamEvent>; done: Promise<DoneEvent> } | StartFailure;

function toHistory(rows: (Message & Partial<FileParts>)[]): PipelineMessage[] {
  return rows
    .filter((m) => m.content.length > 0 && !(m.role === "assistant" && (m.status === "error" || m.status === "streaming")))
    .map((m) => ({ role: m.role, content: m.content, ...(m.parts ? { parts: m.parts, imageTokens: m.imageTokens } : {}) }));
}

type PromptModel = NonNullable<ReturnType<typeof getModel>>;

/**
 * What a conversation started from an assistant sends with every turn: its system prompt (sent
 * first, counted in the hold and charged as prompt like any text), temperature and reply cap.
 */
export type ChatSetup = { systemPrompt: string | null; temperatureTenths: number | null; maxOutputTokens: number | null };

/** A conversation row's setup (copied from its assistant when it started). */
export function chatSetupOf(c: ChatSetup | null | undefined): ChatSetup | undefined {
  if (!c || (!c.systemPrompt && c.temperatureTenths === null && c.maxOutputTokens === null)) return undefined;
  return { systemPrompt: c.systemPrompt, temperatureTenths: c.temperatureTenths, maxOutputTokens: c.maxOutputTokens };
}

/** The request fields a setup adds upstream (temperature; nothing else is sent as a parameter). */
export function setupParams(setup: ChatSetup | undefined): Record<string, unknown> | undefined {
  return setup?.temperatureTenths != null ? { temperature: setup.temperatureTenths / 10 } : undefined;
}

/**
 * What a turn sends upstream: the branch's history (plus the new message, or up to the last user
 * message when regenerating), trimmed to the model's context, and the reply limit. The send path
 * and the quote (quote.ts) both build the request here, so a quote's hold is the hold reserved.
 * `existing` is one path of the conversation's tree (history.ts), never its other branches.
 */
export function chatPrompt(
  existing: (Message & Partial<FileParts>)[],
  /** `turn`: the new message with its files folded in (lib/chat/attachments.ts), instead of `content` alone. */
  input: { content?: string; regenerate?: boolean; turn?: FileParts },
  model: PromptModel | null | undefined,
  setup?: ChatSetup,
):
  | { ok: true; history: PipelineMessage[]; outLimit: number; model: PromptModel }
  | { ok: false; code: "nothing_to_regenerate" | "invalid_input" | "unknown_model" } {
  let history: PipelineMessage[];
  if (input.regenerate) {
    const lastUser = existing.findLastIndex((m) => m.role === "user");
    if (lastUser < 0) return { ok: false, code: "nothing_to_regenerate" };
    history = toHistory(existing.slice(0, lastUser + 1));
  } else {
    if (!input.content) return { ok: false, code: "invalid_input" };
    history = [...toHistory(existing), { role: "user", ...(input.turn ?? { content: input.content }) }];
  }
  if (!model || model.hidden) return { ok: false, code: "unknown_model" };
  if (setup?.systemPrompt) history = [{ role: "system", content: setup.systemPrompt }, ...history];
  const cap = setup?.maxOutputTokens ? Math.min(setup.maxOutputTokens, CHAT_MAX_OUTPUT_TOKENS) : CHAT_MAX_OUTPUT_TOKENS;
  const outLimit = model.limits.output > 0 ? Math.min(model.limits.output, cap) : cap;
  if (model.limits.context > 0) history = fitContext(history, model.limits.context, outLimit);
  return { ok: true, history, outLimit, model };
}

/**
 * Drops the oldest turns until the prompt leaves room for the reply (the newest message and a
 * leading system prompt always stay).
 */
function fitContext(history: PipelineMessage[], contextTokens: number, maxOut: number): PipelineMessage[] {
  const budget = Math.max(1, Math.floor(contextTokens * 0.9) - maxOut);
  const system = history[0]?.role === "system" ? history.slice(0, 1) : [];
  let h = history.slice(system.length);
  while (h.length > 1 && countChatTokens([...system, ...h]) > budget) h = h.slice(1);
  return [...system, ...h];
}

/** A stored reply replayed as a stream (a retried send with the same request id). */
function replay(conversationId: string, title: string, reply: Message, requestId: string): SendChatResult {
  const done: DoneEvent = {
    type: "done",
    messageId: reply.id,
    status: reply.status === "streaming" ? "interrupted" : reply.status,
    content: reply.content,
    errorCode: reply.errorCode,
    planTokens: (reply.planTokens ?? 0n).toString(),
    tokensOut: reply.tokensOut ?? 0,
    modelId: reply.modelId,
    balance: null,
  };
  const model = getModel(reply.modelId);
  async function* events(): AsyncIterable<ChatStreamEvent> {
    yield {
      type: "start",
      conversationId,
      title,
      requestId,
      modelId: reply.modelId,
      modelName: model?.name ?? reply.modelId,
      routeKind: "demo",
      userMessageId: null,
      replyParentId: reply.parentId,
    };
    if (reply.content) yield { type: "text", text: reply.content };
    yield done;
  }
  return { ok: true, conversationId, events: events(), done: Promise.resolve(done) };
}

/**
 * One chat turn: checks ownership, builds the history, runs the metered pipeline, stores the
 * user's message and the reply (exactly what was delivered and charged) with its usage, and
 * streams start/text/done events. Nothing is stored when the request is refused (balance, cap).
 * A retried request id replays the stored reply and never charges twice.
 */
export async function sendChat(db: Database, input: SendChatInput): Promise<SendChatResult> {
  const { userId, now } = input;
  // Text the database cannot store never reaches the ledger (the action's schema refuses it first).
  if (input.content !== undefined && !isStorableText(input.content)) return { ok: false, code: "invalid_input" };
  const scopedRequestId = usageRequestId(userId, input.requestId);

  let conversationId: string;
  let title: string;
  let existing: Message[] = [];
  let storedLeaf: string | null = null;
  let isNew = false;
  let setup: ChatSetup | undefined;
  let startedFrom: { ref: string; name: string | null } | null = null;
  if (input.conversationId) {
    const c = await findConversation(db, { userId, conversationId: input.conversationId });
    if (!c) return { ok: false, code: "not_found" };
    conversationId = c.id;
    title = c.title;
    setup = chatSetupOf(c);
    storedLeaf = c.currentLeafId;
    existing = await listMessages(db, { userId, conversationId });
  } else {
    if (!input.newConversationId || input.regenerate || !input.content) return { ok: false, code: "invalid_input" };
    const taken = await db.select({ owner: conversation.ownerUserId }).from(conversation).where(eq(conversation.id, input.newConversationId)).limit(1);
    if (taken[0] && taken[0].owner !== userId) return { ok: false, code: "invalid_input" };
    conversationId = input.newConversationId;
    title = titleFrom(input.content);
    isNew = !taken[0];
    if (!isNew) {
      // A retried first send: the conversation exists (ours) with the setup it started with.
      setup = chatSetupOf(await findConversation(db, { userId, conversationId }));
      existing = await listMessages(db, { userId, conversationId });
    } else if (input.assistantRef) {
      const a = await resolveAssistant(db, { userId, ref: input.assistantRef });
      if (!a) return { ok: false, code: "not_found" };
      setup = { systemPrompt: a.systemPrompt, temperatureTenths: a.temperatureTenths, maxOutputTokens: a.maxOutputTokens };
      startedFrom = { ref: a.ref, name: a.name };
    }
  }

  // A retry of a finished send: replay what was stored.
  const stored = existing.find((m) => m.requestId === scopedRequestId && m.role === "assistant");
  // Still generating (another tab or device follows it through the resume stream).
  if (stored?.status === "streaming") return { ok: false, code: "duplicate_request", details: { inFlight: true } };
  if (stored) return replay(conversationId, title, stored, input.requestId);

  // The history follows the branch the client names, among this conversation's own messages.
  const point = input.conversationId
    ? branchPoint(existing, { storedLeaf, parentId: input.parentId, regenerate: input.regenerate })
    : { ok: true as const, path: [] as Message[], parentId: null };
  if (!point.ok) return point;
  const branch = point;
  const chosen = getModel(input.modelId, input.config.catalog);
  const files = await prepareFiles(db, {
    userId,
    conversationId,
    existing: branch.path,
    attachmentIds: input.attachmentIds,
    text: input.content,
    model: chosen,
  });
  if (!files.ok) return files;
  const prompt = chatPrompt(files.existing, { ...input, turn: files.turn }, chosen, setup);
  if (!prompt.ok) return prompt;
  const fits = checkTurnFits(prompt.history, prompt.model, CHAT_MIN_OUTPUT_TOKENS, files.files.length > 0);
  if (!fits.ok) return fits;
  const { outLimit, model } = prompt;
  // Images go upstream as data URLs; the hold counts them by size, not by their bytes.
  const history = input.attachmentStore ? await loadImages(db, input.attachmentStore, { userId, history: prompt.history }) : prompt.history;

  const run = (maxOutputTokens: number, requestId: string) =>
    startMeteredCompletion(db, {
      userId,
      walletId: input.walletId,
      modelId: model.id,
      messages: history,
      maxOutputTokens,
      requestId,
      conversationId,
      now,
      config: input.config,
      signal: input.signal,
      hooks: input.hooks,
      params: setupParams(setup),
    });
  let started = await run(outLimit, input.requestId);
  if (!started.ok && started.code === "insufficient_balance") {
    // Not enough for a full-length reply: a shorter one the balance covers beats a refusal.
    const available = BigInt((started.details?.available as string | undefined) ?? "0");
    const promptCost = planTokens({
      tokensIn: countChatTokens(history),
      tokensOut: 0,
      weightInMicro: model.weights.inMicro,
      weightOutMicro: model.weights.outMicro,
    });
    const left = available - promptCost;
    const affordable = left > 0n ? Number((left * 1_000_000n) / model.weights.outMicro) : 0;
    if (affordable >= CHAT_MIN_OUTPUT_TOKENS) started = await run(Math.min(affordable, outLimit) - 1, `${input.requestId}~fit`);
  }
  if (!started.ok) return started;
  const r = started;

  // Accepted: now the conversation and the user's message exist. Should storing them fail, the
  // stream is stopped and its hold resolved now — never left to the sweeper.
  const storedModelId = model.id;
  let userMessageId: string | null;
  let replyId: string;
  let replyParentId: string | null;
  try {
    ({ userMessageId, replyId, replyParentId } = await storeTurn());
  } catch (e) {
    r.cancel();
    await r.done.catch(() => undefined);
    throw e;
  }
  async function storeTurn() {
    return db.transaction(async (tx) => {
      if (isNew) {
        await tx
          .insert(conversation)
          .values({
            id: conversationId,
            ownerUserId: userId,
            title,
            modelId: storedModelId,
            createdAt: now,
            updatedAt: now,
            ...(setup && startedFrom ? { ...setup, assistantRef: startedFrom.ref, assistantName: startedFrom.name } : {}),
          })
          .onConflictDoNothing();
      } else {
        await tx
          .update(conversation)
          .set({ updatedAt: now, modelId: storedModelId })
          .where(and(eq(conversation.id, conversationId), eq(conversation.ownerUserId, userId)));
      }
      // Nothing is deleted: a regenerated reply is a sibling of the earlier ones (‹ › shows them).
      let userMessageId: string | null = null;
      if (!input.regenerate) {
        const [m] = await tx
          .insert(message)
          .values({
            conversationId,
            ownerUserId: userId,
            parentId: branch.parentId,
            role: "user",
            content: input.content!,
            modelId: storedModelId,
            requestId: scopedRequestId,
            createdAt: now,
          })
          .onConflictDoNothing()
          .returning({ id: message.id });
        userMessageId = m?.id ?? null;
        if (m) await linkFiles(tx, { userId, ids: files.ok ? files.files.map((f) => f.id) : [], conversationId, messageId: m.id });
      }
      // The reply exists from the start, as "streaming": its text so far is written to it while
      // it runs (lib/chat/live.ts), so any device of the account can follow it.
      // A new reply answers the new message; a regenerated one sits beside the earlier replies.
      const replyParentId = input.regenerate ? branch.parentId : userMessageId;
      const [a] = await tx
        .insert(message)
        .values({
          conversationId,
          ownerUserId: userId,
          parentId: replyParentId,
          role: "assistant",
          content: "",
          // The model that writes it (after a 放心用 switch, the economical one, and the one asked for).
          modelId: r.model.id,
          switchedFromModelId: r.switchedFrom ?? null,
          status: "streaming",
          requestId: scopedRequestId,
          createdAt: new Date(now.getTime() + 1),
          draftAt: new Date(),
        })
        .returning({ id: message.id });
      // The reply is the end of the branch on screen from its start.
      await tx.update(conversation).set({ currentLeafId: a!.id }).where(eq(conversation.id, conversationId));
      return { userMessageId, replyId: a!.id, replyParentId };
    });
  }

  let delivered = "";
  let resolveDone!: (d: DoneEvent) => void;
  const done = new Promise<DoneEvent>((res) => (resolveDone = res));

  const finish = async (): Promise<DoneEvent> => {
    const out = await r.done;
    const status: ReplyStatus = out.status === "ok" ? "ok" : out.status === "error" ? "error" : "interrupted";
    const errorCode = out.status === "aborted" ? "stopped" : (out.errorCode ?? null);
    const [m] = await db
      .update(message)
      .set({
        content: delivered,
        modelId: r.model.id,
        status,
        errorCode,
        usageId: out.usageId ?? null,
        planTokens: out.planTokens,
        tokensOut: out.tokensOut,
        draftAt: new Date(),
      })
      .where(eq(message.id, replyId))
      .returning({ id: message.id });
    await db.update(conversation).set({ updatedAt: new Date() }).where(eq(conversation.id, conversationId));
    return {
      type: "done",
      messageId: m?.id ?? "",
      status,
      content: delivered,
      errorCode,
      planTokens: out.planTokens.toString(),
      tokensOut: out.tokensOut,
      modelId: r.model.id,
      balance: out.balance ? { available: out.balance.available.toString(), held: out.balance.held.toString() } : null,
    };
  };

  async function* events(): AsyncIterable<ChatStreamEvent> {
    yield {
      type: "start",
      conversationId,
      title,
      requestId: input.requestId,
      modelId: r.model.id,
      modelName: r.model.name,
      routeKind: r.route.kind,
      userMessageId,
      replyId,
      // 放心用 switched this reply to the payer's economical model: the one that was asked for.
      ...(r.switchedFrom ? { switchedFrom: r.switchedFrom } : {}),
      replyParentId,
    };
    try {
      for await (const ev of r.events) {
        delivered += ev.text;
        yield ev;
      }
    } finally {
      // Runs on normal end and when the reader leaves early (the pipeline counts that as a stop).
      const d = await finish().catch((e) => {
        console.error("[chat] storing the reply failed", describeError(e));
        return {
          type: "done",
          messageId: "",
          status: "error",
          content: delivered,
          errorCode: "internal",
          planTokens: "0",
          tokensOut: 0,
          modelId: r.model.id,
          balance: null,
        } as DoneEvent;
      });
      resolveDone(d);
    }
    yield await done;
  }

  return { ok: true, conversationId, events: events(), done };
}
