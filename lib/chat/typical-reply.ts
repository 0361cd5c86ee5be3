import { and, desc, eq, gt } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { usage } from "@/lib/db/schema";

/** A reply's length when the user has no history with a model: a few paragraphs. */
export const TYPICAL_REPLY_DEFAULT_TOKENS = 500;
/** The median is taken over this many of the user's most recent replies from the model. */
export const TYPICAL_REPLY_WINDOW = 20;
/** Fewer finished replies than this and the default is used instead. */
export const TYPICAL_REPLY_MIN_SAMPLES = 3;

export type TypicalReply = { tokens: number; source: "history" | "default" };

/** Median of sorted integers, rounded up (the larger middle for an even count). */
export function medianUp(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)]!;
}

/**
 * How long a reply from this model usually is for this user: the median output tokens of their
 * last TYPICAL_REPLY_WINDOW finished replies from it, else TYPICAL_REPLY_DEFAULT_TOKENS.
 */
export async function typicalReplyTokens(db: Database, { userId, modelId }: { userId: string; modelId: string }): Promise<TypicalReply> {
  const rows = await db
    .select({ out: usage.tokensOut })
    .from(usage)
    .where(and(eq(usage.userId, userId), eq(usage.modelId, modelId), eq(usage.status, "ok"), gt(usage.tokensOut, 0)))
    .orderBy(desc(usage.createdAt))
    .limit(TYPICAL_REPLY_WINDOW);
  if (rows.length < TYPICAL_REPLY_MIN_SAMPLES) return { tokens: TYPICAL_REPLY_DEFAULT_TOKENS, source: "default" };
  return { tokens: medianUp(rows.map((r) => r.out)), source: "history" };
}
