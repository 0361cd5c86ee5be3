import type { DeltaTaker, TextEvent } from "./types";
import type { ToolCallDelta } from "@/lib/upstream";

/** Tool-call pieces in order, consecutive pieces of one call joined into one. */
function joinToolCalls(items: TextEvent[]): ToolCallDelta[] | undefined {
  let out: ToolCallDelta[] | undefined;
  for (const it of items) {
    if (!it.toolCalls) continue;
    out ??= [];
    for (const t of it.toolCalls) {
      const last = out[out.length - 1];
      if (last && last.index === t.index && !t.id) last.arguments += t.arguments;
      else out.push({ ...t });
    }
  }
  return out;
}

/**
 * A single-consumer queue of text deltas between the upstream reader and whoever forwards them
 * (the chat action, the API route), read as an async iterable or followed (`follow`). A waiting
 * consumer is handed each delta the moment it is pushed — no batching, no timers on the hot path.
 * `onDelivered` fires for each delta the consumer actually takes; `onGone` when it stops early
 * (return/abort).
 */
export class DeltaQueue {
  private items: TextEvent[] = [];
  private waiter: ((r: IteratorResult<TextEvent>) => void) | null = null;
  private taker: DeltaTaker | null = null;
  /** The taker said it can take no more for now. */
  private full = false;
  private takerEnded = false;
  private ended = false;
  private gone = false;
  private resolveFinished!: () => void;
  /** Resolves once the consumer has taken everything (after end) or left. */
  readonly finished: Promise<void> = new Promise((r) => (this.resolveFinished = r));

  constructor(
    private readonly onDelivered: (ev: TextEvent) => void,
    private readonly onGone: () => void,
  ) {}

  get consumerGone(): boolean {
    return this.gone;
  }

  push(text: string, toolCalls?: ToolCallDelta[]): void {
    if (this.ended || this.gone) return;
    const ev: TextEvent = toolCalls ? { type: "text", text, toolCalls } : { type: "text", text };
    const t = this.taker;
    if (t && !this.full) {
      this.onDelivered(ev);
      this.full = !t.take(ev);
      return;
    }
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      this.onDelivered(ev);
      w({ value: ev, done: false });
    } else {
      this.items.push(ev);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const w = this.waiter;
    if (this.items.length === 0) {
      this.resolveFinished();
      this.endTaker();
      if (w) {
        this.waiter = null;
        w({ value: undefined, done: true });
      }
    }
  }

  /** The consumer left: undelivered deltas are dropped and never charged. */
  abandon(): void {
    if (this.gone) return;
    this.gone = true;
    this.items = [];
    const w = this.waiter;
    this.waiter = null;
    if (w) w({ value: undefined, done: true });
    this.resolveFinished();
    this.endTaker();
    this.onGone();
  }

  private endTaker(): void {
    if (!this.taker || this.takerEnded) return;
    this.takerEnded = true;
    this.taker.end();
  }

  /** What piled up while the consumer was busy, as one delta: one write instead of many. */
  private drain(): TextEvent {
    let ev: TextEvent;
    if (this.items.length === 1) ev = this.items[0]!;
    else {
      const toolCalls = joinToolCalls(this.items);
      const text = this.items.map((i) => i.text).join("");
      ev = toolCalls ? { type: "text", text, toolCalls } : { type: "text", text };
    }
    this.items = [];
    this.onDelivered(ev);
    if (this.ended) this.resolveFinished();
    return ev;
  }

  /**
   * Hands each delta to `taker` the moment it is pushed, synchronously, instead of through the
   * iterable (one consumer: use one or the other). What piled up before, or while the taker
   * could take no more, goes as one delta when `more()` is called.
   */
  follow(taker: DeltaTaker): { more(): void } {
    this.taker = taker;
    const more = () => {
      if (this.gone) return this.endTaker();
      this.full = false;
      if (this.items.length > 0) this.full = !taker.take(this.drain());
      if (!this.full && this.ended && this.items.length === 0) {
        this.resolveFinished();
        this.endTaker();
      }
    };
    more();
    return { more };
  }

  iterable(): AsyncIterable<TextEvent> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const q = this;
    return {
      [Symbol.asyncIterator]() {
        return {
          next(): Promise<IteratorResult<TextEvent>> {
            if (q.gone) return Promise.resolve({ value: undefined, done: true });
            // Coalesce what piled up while the consumer was busy: one write instead of many.
            if (q.items.length > 0) return Promise.resolve({ value: q.drain(), done: false });
            if (q.ended) return Promise.resolve({ value: undefined, done: true });
            return new Promise((resolve) => {
              q.waiter = resolve;
            });
          },
          return(): Promise<IteratorResult<TextEvent>> {
            if (!q.ended || q.items.length > 0) q.abandon();
            return Promise.resolve({ value: undefined, done: true });
          },
        };
      },
    };
  }
}
