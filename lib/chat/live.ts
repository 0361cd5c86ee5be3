import { and, desc, eq, lt } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { conversation, message, type Message } from "@/lib/db/schema";
import { getModel } from "@/lib/catalog";
import { describeError } from "@/lib/core/errors";
import type { ChatStreamEvent, DoneEvent, ReplyStatus } from "./wire";

/**
 * Replies that survive the tab. A reply runs to its end on the server whoever watches it: the
 * process that started it reads the whole stream (the browser only follows it), writes the text
 * so far onto the reply's row (status "streaming") at most once a draft interval, and follows a
 * stop asked through that row. Any device of the account follows a running reply: in this process
 * from memory, from another process by polling the row.
 */

/** How often a running reply writes its text so far (and checks for a stop): the progress notes' cadence. */
export const DRAFT_EVERY_MS = 1_000;
/** How often a follower in another process reads the row. */
export const FOLLOW_POLL_MS = 400;
/** A "streaming" row whose draft is older than this lost its process (a crash or restart). */
export const ORPHAN_AFTER_MS = 30_000;

type StartEvent = Extract<ChatStreamEvent, { type: "start" }>;

const g = globalThis as unknown as { __unitokenLiveReplies?: Map<string, LiveReply> };
/** Replies running in this process, by their scoped request id (the row's request_id). */
const running = (g.__unitokenLiveReplies ??= new Map());

/** A reply running in this process: its start, text so far and end, for any number of followers. */
export class LiveReply {
  start: StartEvent | null = null;
  text = "";
  final: DoneEvent | null = null;
  readonly finished: Promise<DoneEvent>;
  private waiters: (() => void)[] = [];
  private resolveFinished!: (d: DoneEvent) => void;
  private timer: ReturnType<typeof setInterval> | undefined;
  private drafting = false;
  private draftedLength = 0;

  constructor(
    private readonly db: Database,
    private readonly key: string,
    private readonly opts: { abort: AbortController; everyMs: number },
  ) {
    this.finished = new Promise((r) => (this.resolveFinished = r));
  }

  /** Reads the reply to its end (whoever follows it), drafting it onto its row as it goes. */
  async run(events: AsyncIterable<ChatStreamEvent>): Promise<void> {
    running.set(this.key, this);
    let replyId: string | undefined;
    try {
      for await (const ev of events) {
        if (ev.type === "start") {
          this.start = ev;
          replyId = ev.replyId;
          if (replyId) this.startDrafts(replyId);
        } else if (ev.type === "text") this.text += ev.text;
        else if (ev.type === "done") this.final = ev;
        this.wake();
      }
    } catch (e) {
      console.error("[chat] a running reply failed", describeError(e));
    } finally {
      clearInterval(this.timer);
      this.final ??= {
        type: "done",
        messageId: replyId ?? "",
        status: "error",
        content: this.text,
        errorCode: "internal",
        planTokens: "0",
        tokensOut: 0,
        modelId: this.start?.modelId ?? "",
        balance: null,
      };
      if (running.get(this.key) === this) running.delete(this.key);
      this.wake();
      this.resolveFinished(this.final);
    }
  }

  /** The reply from its start: start, the text so far in one piece, then each new piece, then done. */
  async *follow(): AsyncGenerator<ChatStreamEvent> {
    while (!this.start && !this.final) await this.changed();
    if (this.start) yield this.start;
    let sent = 0;
    for (;;) {
      if (this.text.length > sent) {
        const text = this.text.slice(sent);
        sent = this.text.length;
        yield { type: "text", text };
      } else if (this.final) {
        yield this.final;
        return;
      } else await this.changed();
    }
  }

  private changed(): Promise<void> {
    return new Promise((r) => this.waiters.push(r));
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const r of w) r();
  }

  /**
   * Once a draft interval: the text so far onto the row (only if it grew) and the row's stop
   * request read back; never per token, one write at a time.
   */
  private startDrafts(replyId: string): void {
    this.timer = setInterval(() => void this.draft(replyId), this.opts.everyMs);
    this.timer.unref?.();
  }

  private async draft(replyId: string): Promise<void> {
    if (this.drafting || this.final) return;
    this.drafting = true;
    try {
      const text = this.text;
      const grew = text.length !== this.draftedLength;
      const [row] = await this.db
        .update(message)
        .set(grew ? { content: text, draftAt: new Date() } : { draftAt: new Date() })
        .where(and(eq(message.id, replyId), eq(message.status, "streaming")))
        .returning({ stopRequestedAt: message.stopRequestedAt });
      if (grew) this.draftedLength = text.length;
      // Stop asked from another device: stopped here like a Stop in this process.
      if (row?.stopRequestedAt) this.opts.abort.abort();
    } catch (e) {
      console.error("[chat] writing a reply draft failed", describeError(e));
    } finally {
      this.drafting = false;
    }
  }
}

/** Starts reading a sent reply in the background: it runs to its end even if nobody follows it. */
export function runLiveReply(
  db: Database,
  { key, events, abort, everyMs = DRAFT_EVERY_MS }: { key: string; events: AsyncIterable<ChatStreamEvent>; abort: AbortController; everyMs?: number },
): LiveReply {
  const live = new LiveReply(db, key, { abort, everyMs });
  void live.run(events);
  return live;
}

/** The reply running in this process under a scoped request id, if any. */
export function liveReply(key: string): LiveReply | undefined {
  return running.get(key);
}

/**
 * Asks a running reply of the user's to stop, from any device: the process that runs it stops it
 * at its next draft (within a draft interval) and settles what was produced. True when a running
 * reply was found.
 */
export async function requestStop(
  db: Database,
  { userId, requestId, now, conversationId }: { userId: string; requestId: string; now: Date; conversationId?: string },
): Promise<boolean> {
  const rows = await db
    .update(message)
    .set({ stopRequestedAt: now })
    .where(
      and(
        eq(message.ownerUserId, userId),
        eq(message.requestId, requestId),
        eq(message.role, "assistant"),
        eq(message.status, "streaming"),
        conversationId ? eq(message.conversationId, conversationId) : undefined,
      ),
    )
    .returning({ id: message.id });
  return rows.length > 0;
}

/**
 * A "streaming" row whose process is gone (no draft for ORPHAN_AFTER_MS) is ended as interrupted
 * with the text it had; its hold is resolved by the sweeper from the stream's progress notes.
 */
async function endOrphan(db: Database, row: Message, now: Date): Promise<Message | null> {
  const cutoff = new Date(now.getTime() - ORPHAN_AFTER_MS);
  const [r] = await db
    .update(message)
    .set({ status: "interrupted", errorCode: "lost" })
    .where(and(eq(message.id, row.id), eq(message.status, "streaming"), lt(message.draftAt, cutoff)))
    .returning();
  return r ?? null;
}

async function readRow(db: Database, id: string): Promise<Message | undefined> {
  const [r] = await db.select().from(message).where(eq(message.id, id)).limit(1);
  return r;
}

export type Balance = DoneEvent["balance"];

export type FollowInput = {
  userId: string;
  conversationId: string;
  /** A reply of that conversation; without it, the newest one. */
  replyId?: string;
  /** The wallet's balance for the done event (as a normal send ends). */
  balance: () => Promise<Balance>;
  /** Whether a model answers from a real provider or the demo upstream (the start event says). */
  routeKind: (modelId: string) => "live" | "demo";
  pollMs?: number;
  now?: () => Date;
  /** False follows through the database even when the reply runs in this process (as another instance does). */
  fromMemory?: boolean;
};

function doneOf(row: Message, balance: Balance): DoneEvent {
  return {
    type: "done",
    messageId: row.id,
    status: row.status === "streaming" ? "interrupted" : (row.status as ReplyStatus),
    content: row.content,
    errorCode: row.errorCode,
    planTokens: (row.planTokens ?? 0n).toString(),
    tokensOut: row.tokensOut ?? 0,
    modelId: row.modelId,
    balance,
  };
}

/**
 * Follows one of the user's replies from wherever it runs: the text so far, then the rest live,
 * then the same done event as a send (cost, balance). A finished reply comes back whole. Null when
 * the conversation is not the user's or has no such reply.
 */
export async function followReply(db: Database, input: FollowInput): Promise<AsyncGenerator<ChatStreamEvent> | null> {
  const { userId, conversationId } = input;
  const [c] = await db
    .select({ title: conversation.title })
    .from(conversation)
    .where(and(eq(conversation.id, conversationId), eq(conversation.ownerUserId, userId)))
    .limit(1);
  if (!c) return null;
  const [row] = await db
    .select()
    .from(message)
    .where(
      and(
        eq(message.conversationId, conversationId),
        eq(message.ownerUserId, userId),
        eq(message.role, "assistant"),
        input.replyId ? eq(message.id, input.replyId) : undefined,
      ),
    )
    .orderBy(desc(message.createdAt))
    .limit(1);
  if (!row) return null;
  const local = row.status === "streaming" && input.fromMemory !== false ? liveReply(row.requestId) : undefined;
  if (local) return local.follow();
  return pollReply(db, input, row, c.title);
}

async function* pollReply(db: Database, input: FollowInput, first: Message, title: string): AsyncGenerator<ChatStreamEvent> {
  const prefix = `${input.userId}:`;
  const clock = input.now ?? (() => new Date());
  yield {
    type: "start",
    conversationId: input.conversationId,
    title,
    requestId: first.requestId.startsWith(prefix) ? first.requestId.slice(prefix.length) : first.requestId,
    modelId: first.modelId,
    modelName: getModel(first.modelId)?.name ?? first.modelId,
    routeKind: input.routeKind(first.modelId),
    userMessageId: null,
    replyId: first.id,
  };
  let row: Message | undefined = first;
  let sent = 0;
  for (;;) {
    if (!row) return;
    if (row.status === "streaming" && row.draftAt && clock().getTime() - row.draftAt.getTime() > ORPHAN_AFTER_MS) {
      row = (await endOrphan(db, row, clock())) ?? (await readRow(db, row.id));
      continue;
    }
    if (row.content.length > sent && row.content.length > 0) {
      yield { type: "text", text: row.content.slice(sent) };
      sent = row.content.length;
    }
    if (row.status !== "streaming") {
      yield doneOf(row, await input.balance().catch(() => null));
      return;
    }
    await new Promise((r) => setTimeout(r, input.pollMs ?? FOLLOW_POLL_MS));
    row = await readRow(db, row.id);
  }
}
