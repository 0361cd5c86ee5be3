"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { resolvePayingWallet } from "@/lib/ledger";
import { MESSAGE_MAX_CHARS, sharedConfirmGate, getConfirmThresholds, isStorableText, trackInflight } from "@/lib/chat";
import { COMPARE_MAX_MODELS, COMPARE_MIN_MODELS, columnRequestId, sendComparison } from "@/lib/chat/compare";
import type { CompareEvent } from "@/lib/chat/wire";
import { usageRequestId } from "@/lib/completion";
import { afterSettleHook } from "@/lib/server/wiring";
import { chatPipelineConfig } from "@/lib/server/chat-config";

const uuid = z.string().uuid();
const modelId = z
  .string()
  .min(1)
  .max(120)
  .regex(/^[a-z0-9][a-z0-9._:/-]*$/i);

const compareSchema = z
  .object({
    conversationId: uuid.optional(),
    newConversationId: uuid.optional(),
    /** The message the question follows (the branch on screen); null: a new first message. */
    parentId: uuid.nullable().optional(),
    content: z.string().refine(isStorableText, { message: "text contains a NUL character" }).pipe(z.string().trim().min(1).max(MESSAGE_MAX_CHARS)),
    modelIds: z
      .array(modelId)
      .min(COMPARE_MIN_MODELS)
      .max(COMPARE_MAX_MODELS)
      .refine((ids) => new Set(ids).size === ids.length, { message: "distinct models" }),
    assistant: z
      .string()
      .max(80)
      .regex(/^(builtin:[a-z0-9-]{1,40}|[0-9a-f-]{36})$/)
      .optional(),
    /** Leaves room for the column suffix: each column's request id is `<requestId>-c<n>`. */
    requestId: z.string().regex(/^[A-Za-z0-9_-]{8,56}$/),
    /** The total the user confirmed above their 单条确认 threshold (plan tokens). */
    confirmedUpTo: z
      .string()
      .regex(/^\d{1,19}$/)
      .optional(),
  })
  .refine((v) => !!v.conversationId !== !!v.newConversationId, { message: "one conversation id" })
  .refine((v) => v.parentId === undefined || !!v.conversationId, { message: "a parent needs its conversation" });

/**
 * Side by side: one question to 2–3 models, each column its own metered request (own hold, own
 * request id `<requestId>-c<n>`, stopped with stopChatMessage on that id). Streams the stored
 * question, then the columns' events interleaved; a refused column comes as its own event. When
 * every column is refused it is `{ ok: false, code }` and nothing is kept.
 */
export const sendChatComparison = userAction<typeof compareSchema, { conversationId: string; stream: ReadableStream<CompareEvent> }>(
  compareSchema,
  async (input, { db, user, now }) => {
    const wallet = await resolvePayingWallet(db, { userId: user.id });
    const thresholds = getConfirmThresholds(db, { userId: user.id });
    thresholds.catch(() => undefined);
    const aborts = input.modelIds.map(() => new AbortController());
    const confirmed = input.confirmedUpTo === undefined ? undefined : BigInt(input.confirmedUpTo);
    // The threshold and the confirmation are for the question's total over its columns.
    const totalGate = sharedConfirmGate(thresholds, confirmed);
    const res = await sendComparison(db, {
      userId: user.id,
      walletId: wallet.walletId,
      conversationId: input.conversationId,
      newConversationId: input.newConversationId,
      parentId: input.parentId,
      content: input.content,
      modelIds: input.modelIds,
      assistantRef: input.conversationId ? undefined : input.assistant,
      requestId: input.requestId,
      now,
      config: await chatPipelineConfig(),
      signals: aborts.map((a) => a.signal),
      hooks: () => ({ afterSettle: afterSettleHook(db, { walletId: wallet.walletId, walletKind: wallet.kind }), beforeReserve: totalGate }),
    });
    if (!res.ok) return { ok: false as const, code: res.code, details: res.details };
    for (const [column, done] of res.columnDone.entries()) {
      if (done) trackInflight(usageRequestId(user.id, columnRequestId(input.requestId, column)), { abort: aborts[column]!, done });
    }
    const it = res.events[Symbol.asyncIterator]();
    const stream = new ReadableStream<CompareEvent>({
      async pull(controller) {
        const n = await it.next();
        if (n.done) controller.close();
        else controller.enqueue(n.value);
      },
      cancel() {
        // The browser went away: every column stops and is charged for what it delivered.
        for (const a of aborts) a.abort();
        void it.return?.();
      },
    });
    return { ok: true as const, conversationId: res.conversationId, stream };
  },
);
