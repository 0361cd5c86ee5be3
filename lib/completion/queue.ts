import type { TextEvent } from "./types";
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
 * A single-consumer async queue of text deltas between the upstream reader and whoever forwards
 * them (the chat action, the API route). A waiting consumer is handed each delta the moment it
 * is pushed — no batching, no timers on the hot path. `onDelivered` fires for each delta the
 * consumer actually takes; `onGone` when it stops early (return/abort).
 */
export class DeltaQueue {
  private items: TextEvent[] = [];
  private waiter: ((r: IteratorResult<TextEvent>) => void) | null = null;
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
    this.onGone();
  }

  iterable(): AsyncIterable<TextEvent> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const q = this;
    return {
      [Symbol.asyncIterator]() {
        return {
          next(): Promise<IteratorResult<TextEvent>> {
            if (q.gone) return Promise.resolve({ value: undefined, done: true });
            if (q.items.length > 0) {
              // Coalesce what piled up while the consumer was busy: one write instead of many.
              let ev: TextEvent;
              if (q.items.length === 1) ev = q.items[0]!;
              else {
                const toolCalls = joinToolCalls(q.items);
                const text = q.items.map((i) => i.text).join("");
                ev = toolCalls ? { type: "text", text, toolCalls } : { type: "text", text };
              }
              q.items = [];
              q.onDelivered(ev);
              if (q.ended) q.resolveFinished();
              return Promise.resolve({ value: ev, done: false });
            }
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
