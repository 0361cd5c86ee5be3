import type { Database } from "@/lib/db/types";
import { getModel, type CatalogOptions } from "@/lib/catalog";
import { countPrompt, sizeHold } from "@/lib/completion";
import { planTokens } from "@/lib/metering";
import type { Message } from "@/lib/db/schema";
import { findConversation, isStorableText, listMessages } from "./conversations";
import { CHAT_MIN_OUTPUT_TOKENS, chatPrompt, chatSetupOf, type ChatSetup } from "./send";
import { resolveAssistant } from "./assistants";
import { branchPoint } from "./history";
import { typicalReplyTokens } from "./typical-reply";
import { checkTurnFits, prepareFiles, type FilesRefusal } from "./attachments";

export type ChatQuote = {
  modelId: string;
  /** Exactly the hold the send path would reserve for this message now (plan tokens). */
  holdTokens: bigint;
  /** The prompt plus a reply of typical length (plan tokens), never above holdTokens. */
  expectedTokens: bigint;
  promptTokens: number;
  maxOutputTokens: number;
  typicalReplyTokens: number;
  typicalFrom: "history" | "default";
};

export type QuoteFailure = { ok: false; code: "not_found" | "invalid_input" | "unknown_model" | "nothing_to_regenerate" | "context_too_long" } | FilesRefusal;

/**
 * What a message would cost before it is sent. The request is built by the send path's own
 * chatPrompt and sized by the pipeline's own sizeHold/countPrompt, so holdTokens is the hold
 * reserve() would take for the same conversation, text and model (quote.test.ts proves it).
 */
export async function quoteChat(
  db: Database,
  input: {
    userId: string;
    conversationId?: string;
    content?: string;
    regenerate?: boolean;
    /** The message the new one would follow (the branch on screen); see SendChatInput.parentId. */
    parentId?: string | null;
    modelId: string;
    catalog?: CatalogOptions;
    /** A new conversation from an assistant: its system prompt is part of the quote. */
    assistantRef?: string;
    /** Files attached to the message (their tokens are part of the hold). */
    attachmentIds?: string[];
  },
): Promise<{ ok: true; quote: ChatQuote } | QuoteFailure> {
  if (input.content !== undefined && !isStorableText(input.content)) return { ok: false, code: "invalid_input" };
  let existing: Message[] = [];
  let setup: ChatSetup | undefined;
  if (input.conversationId) {
    const c = await findConversation(db, { userId: input.userId, conversationId: input.conversationId });
    if (!c) return { ok: false, code: "not_found" };
    const all = await listMessages(db, { userId: input.userId, conversationId: c.id });
    // The same branch the send would follow.
    const branch = branchPoint(all, { storedLeaf: c.currentLeafId, parentId: input.parentId, regenerate: input.regenerate });
    if (!branch.ok) return branch;
    existing = branch.path;
    setup = chatSetupOf(c);
  } else if (input.assistantRef) {
    const a = await resolveAssistant(db, { userId: input.userId, ref: input.assistantRef });
    if (!a) return { ok: false, code: "not_found" };
    setup = { systemPrompt: a.systemPrompt, temperatureTenths: a.temperatureTenths, maxOutputTokens: a.maxOutputTokens };
  }
  const chosen = getModel(input.modelId, input.catalog);
  const files = await prepareFiles(db, {
    userId: input.userId,
    conversationId: input.conversationId,
    existing,
    attachmentIds: input.attachmentIds,
    text: input.content,
    model: chosen,
  });
  if (!files.ok) return files;
  const prompt = chatPrompt(files.existing, { ...input, turn: files.turn }, chosen, setup);
  if (!prompt.ok) return prompt;
  const fits = checkTurnFits(prompt.history, prompt.model, CHAT_MIN_OUTPUT_TOKENS, files.files.length > 0);
  if (!fits.ok) return fits;
  const { model, history, outLimit } = prompt;
  const sized = sizeHold(model, history, { asked: outLimit });
  if ("tooLong" in sized) return { ok: false, code: "context_too_long" };
  const size = countPrompt(sized, model, history);
  const typical = await typicalReplyTokens(db, { userId: input.userId, modelId: model.id });
  const expectedOut = Math.min(typical.tokens, size.maxOutputTokens);
  const expected = planTokens({
    tokensIn: size.promptTokens,
    tokensOut: expectedOut,
    weightInMicro: model.weights.inMicro,
    weightOutMicro: model.weights.outMicro,
  });
  return {
    ok: true,
    quote: {
      modelId: model.id,
      holdTokens: size.holdAmount,
      expectedTokens: expected < size.holdAmount ? expected : size.holdAmount,
      promptTokens: size.promptTokens,
      maxOutputTokens: size.maxOutputTokens,
      typicalReplyTokens: typical.tokens,
      typicalFrom: typical.source,
    },
  };
}
