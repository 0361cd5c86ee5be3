/**
 * A single-consumer async queue of text deltas between the upstream reader and whoever forwards
 * them (the chat action, the API route). A waiting consumer is handed each delta the moment it
 * is pushed — no batching, no timers on the hot path. `onDelivered` fires for each delta the
 * consumer actually takes; `onGone` when it stops early (return/abort).
 */
export class DeltaQueue {
  private items: string[] = [];
  private waiter: ((r: IteratorResult<{ type: "text"; text: string }>) => void) | null = null;
  private ended = false;
  private gone = false;
  private resolveFinished!: () => void;
  /** Resolves once the consumer has taken everything (after end) or left. */
  readonly finished: Promise<void> = new Promise((r) => (this.resolveFinished = r));

  constructor(
    private readonly onDelivered: (text: string) => void,
    private readonly onGone: () => void,
  ) {}

  get consumerGone(): boolean {
    return this.gone;
  }

  push(text: string): void {
    if (this.ended || this.gone) return;
    const w = this.waiter;
    if (w) {
      this.waiter = null;
      this.onDelivered(text);
      w({ value: { type: "text", text }, done: false });
    } else {
      this.items.push(text);
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

  iterable(): AsyncIterable<{ type: "text"; text: string }> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias
    const q = this;
    return {
      [Symbol.asyncIterator]() {
        return {
          next(): Promise<IteratorResult<{ type: "text"; text: string }>> {
            if (q.gone) return Promise.resolve({ value: undefined, done: true });
            if (q.items.length > 0) {
              // Coalesce what piled up while the consumer was busy: one write instead of many.
              const text = q.items.length === 1 ? q.items[0]! : q.items.join("");
              q.items = [];
              q.onDelivered(text);
              if (q.ended) q.resolveFinished();
              return Promise.resolve({ value: { type: "text", text }, done: false });
            }
            if (q.ended) return Promise.resolve({ value: undefined, done: true });
            return new Promise((resolve) => {
              q.waiter = resolve;
            });
          },
          return(): Promise<IteratorResult<{ type: "text"; text: string }>> {
            if (!q.ended || q.items.length > 0) q.abandon();
            return Promise.resolve({ value: undefined, done: true });
          },
        };
      },
    };
  }
}
