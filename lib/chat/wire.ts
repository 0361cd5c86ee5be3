/**
 * What the browser receives while a chat reply streams. Types only, importing nothing, so a
 * client component can use them without pulling the database schema into its bundle.
 */

/** How a reply ended; the message table's status column also has "streaming" while it runs. */
export type ReplyStatus = "ok" | "interrupted" | "error";

/** Events the browser receives, in order: start, text…, done. Token amounts as strings (wire). */
export type ChatStreamEvent =
  | {
      type: "start";
      conversationId: string;
      title: string;
      requestId: string;
      modelId: string;
      modelName: string;
      routeKind: "live" | "demo";
      userMessageId: string | null;
      /** The stored reply row (status "streaming" until done), when there is one. */
      replyId?: string;
      /** 放心用 served this reply on the payer's economical model (modelId) instead of this one. */
      switchedFrom?: string;
      /** The message the reply answers (its parent in the conversation's tree). */
      replyParentId?: string | null;
    }
  | { type: "text"; text: string }
  | {
      type: "done";
      messageId: string;
      status: ReplyStatus;
      content: string;
      errorCode: string | null;
      planTokens: string;
      tokensOut: number;
      modelId: string;
      balance: { available: string; held: string } | null;
    };

export type DoneEvent = Extract<ChatStreamEvent, { type: "done" }>;

/**
 * What the browser receives for a side-by-side comparison: the stored question, then each
 * column's own stream (start, text…, done) interleaved, or that column's refusal.
 */
export type CompareEvent =
  | { type: "question"; conversationId: string; title: string; userMessageId: string; modelIds: string[] }
  | { type: "refused"; column: number; code: string; details: Record<string, unknown> | null }
  | { type: "column"; column: number; event: ChatStreamEvent };

/** Each column of a comparison is its own request: the comparison's id and the column. */
export function columnRequestId(requestId: string, column: number): string {
  return `${requestId}-c${column}`;
}
