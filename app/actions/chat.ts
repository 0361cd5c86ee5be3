"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { resolvePayingWallet } from "@/lib/ledger";
import {
  MESSAGE_MAX_CHARS,
  TITLE_MAX,
  chatModelList,
  confirmGate,
  getConfirmThresholds,
  deleteConversation,
  isStorableText,
  listConversations,
  renameConversation,
  selectBranch,
  sendChat,
  stopInflight,
  trackInflight,
  type ChatStreamEvent,
} from "@/lib/chat";
import { requestStop, runLiveReply } from "@/lib/chat/live";
import { usageRequestId } from "@/lib/completion";
import { afterSettleHook, attachmentStore, routeOptions } from "@/lib/server/wiring";
import { chatPipelineConfig } from "@/lib/server/chat-config";

const uuid = z.string().uuid();
/** Text PostgreSQL can store (no NUL): refused here, before anything is held. */
const storable = z.string().refine(isStorableText, { message: "text contains a NUL character" });
const requestId = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/);
const modelId = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9][a-z0-9._:/-]*$/i);

const sendSchema = z
  .object({
    conversationId: uuid.optional(),
    newConversationId: uuid.optional(),
    content: storable.pipe(z.string().trim().min(1).max(MESSAGE_MAX_CHARS)).optional(),
    regenerate: z.boolean().optional(),
    /** The message the new one follows (the branch on screen); null: a new first message (an edit of it). */
    parentId: uuid.nullable().optional(),
    /** A new conversation started from an assistant: "builtin:<slug>" or the id of one's own. */
    assistant: z
      .string()
      .max(80)
      .regex(/^(builtin:[a-z0-9-]{1,40}|[0-9a-f-]{36})$/)
      .optional(),
    modelId,
    requestId,
    /** Files uploaded for this message (POST /api/attachments). */
    attachmentIds: z.array(uuid).max(8).optional(),
    /** The hold the user confirmed above their 单条确认 threshold (plan tokens). */
    confirmedUpTo: z
      .string()
      .regex(/^\d{1,19}$/)
      .optional(),
  })
  .refine((v) => (v.regenerate ? !!v.conversationId && !v.content : !!v.content), { message: "content or regenerate" })
  .refine((v) => !!v.conversationId !== !!v.newConversationId, { message: "one conversation id" })
  .refine((v) => v.parentId === undefined || !!v.conversationId, { message: "a parent needs its conversation" });

/**
 * Sends a message (or regenerates the last reply) and streams the answer: start, text…, done.
 * The done event carries the reply's cost and the wallet's new balance. Refusals (balance, cap,
 * unknown model, someone else's conversation) come back as `{ ok: false, code }` before any stream.
 */
export const sendChatMessage = userAction<typeof sendSchema, { conversationId: string; stream: ReadableStream<ChatStreamEvent> }>(
  sendSchema,
  async (input, { db, user, now }) => {
    const wallet = await resolvePayingWallet(db, { userId: user.id });
    const thresholds = getConfirmThresholds(db, { userId: user.id });
    thresholds.catch(() => undefined);
    const abort = new AbortController();
    const res = await sendChat(db, {
      userId: user.id,
      walletId: wallet.walletId,
      conversationId: input.conversationId,
      newConversationId: input.newConversationId,
      content: input.content,
      regenerate: input.regenerate,
      parentId: input.parentId,
      modelId: input.modelId,
      assistantRef: input.conversationId ? undefined : input.assistant,
      requestId: input.requestId,
      attachmentIds: input.attachmentIds,
      attachmentStore: attachmentStore(),
      now,
      config: await chatPipelineConfig(),
      signal: abort.signal,
      hooks: {
        afterSettle: afterSettleHook(db, { walletId: wallet.walletId, walletKind: wallet.kind }),
        beforeReserve: confirmGate(thresholds, input.confirmedUpTo === undefined ? undefined : BigInt(input.confirmedUpTo)),
      },
    });
    if (!res.ok) return { ok: false as const, code: res.code, details: res.details };
    const key = usageRequestId(user.id, input.requestId);
    trackInflight(key, { abort, done: res.done });
    // The reply runs to its end on the server; this browser only follows it (as may any other
    // device of the account, through the resume route).
    const it = runLiveReply(db, { key, events: res.events, abort }).follow();
    const stream = new ReadableStream<ChatStreamEvent>({
      async pull(controller) {
        const n = await it.next();
        if (n.done) controller.close();
        else controller.enqueue(n.value);
      },
      cancel() {
        // The tab closed, the phone locked or the network dropped: the reply goes on and is
        // stored and charged once, for what was produced; Stop is the way to end it.
        void it.return(undefined);
      },
    });
    return { ok: true as const, conversationId: res.conversationId, stream };
  },
);

/**
 * Stops the user's running reply from any device: the stop is asked through the reply's row, so
 * whichever server process runs it stops within a draft interval and settles what was produced;
 * in this process it also stops at once. Resolves with the stored (partial) reply when it ran
 * here, else null (a follower's stream brings the end).
 */
export const stopChatMessage = userAction(z.object({ requestId }), async ({ requestId: rid }, { db, user, now }) => {
  const key = usageRequestId(user.id, rid);
  await requestStop(db, { userId: user.id, requestId: key, now });
  const done = await stopInflight(key);
  return { ok: true as const, done };
});

/** Remembers the branch on screen (‹ › switched to it), so the conversation reopens on it. */
export const selectMyBranch = userAction(z.object({ conversationId: uuid, leafId: uuid }), async (input, { db, user }) => {
  await selectBranch(db, { userId: user.id, conversationId: input.conversationId, leafId: input.leafId });
  return { ok: true as const };
});

export const listMyConversations = userAction(z.object({}).optional(), async (_i, { db, user }) => {
  const rows = await listConversations(db, { userId: user.id });
  return { ok: true as const, conversations: rows.map((c) => ({ id: c.id, title: c.title, modelId: c.modelId, updatedAt: c.updatedAt.toISOString() })) };
});

export const renameMyConversation = userAction(
  z.object({ conversationId: uuid, title: storable.pipe(z.string().trim().min(1).max(TITLE_MAX)) }),
  async (input, { db, user }) => {
    await renameConversation(db, { userId: user.id, conversationId: input.conversationId, title: input.title });
    return { ok: true as const };
  },
);

export const deleteMyConversation = userAction(z.object({ conversationId: uuid }), async (input, { db, user }) => {
  await deleteConversation(db, { userId: user.id, conversationId: input.conversationId });
  return { ok: true as const };
});

/** The model picker's list: every callable model with its weights and whether it is live or demo. */
export const listChatModels = userAction(z.object({}).optional(), async () => {
  return { ok: true as const, models: chatModelList(routeOptions()) };
});
