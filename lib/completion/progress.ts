import type { Database } from "@/lib/db/types";
import { GrowingCount, planTokens } from "@/lib/metering";
import { recordProgress, type UsageInput } from "@/lib/ledger";
import { describeError } from "@/lib/core/errors";

/** A stream that shows no output still proves it is alive this often (so its hold is not swept). */
const MAX_HEARTBEAT_MS = 10_000;

/** Resolves after pending I/O callbacks have run (writes already queued go out first). */
const afterIo = () => new Promise<void>((r) => setImmediate(r));

export type ProgressSource = {
  /** Everything the upstream produced so far (text and reasoning). */
  produced: () => string;
  /** Prompt tokens to charge so far: the prompt once the upstream accepted, else 0. */
  promptTokens: () => number;
  holdAmount: () => bigint;
  weights: { inMicro: bigint; outMicro: bigint };
  /** The usage row this stream would write with these counts. */
  draft: (tokensIn: number, tokensOut: number) => UsageInput;
};

/**
 * A stream's progress notes: what it produced so far (for whoever must resolve its hold if this
 * process dies), that it is alive (the hold's expiry moves to now + TTL), and whether it must stop.
 * At most one per interval of output, plus a heartbeat while nothing comes; chained
 * so they land in order, and counted off the delta's path.
 */
export class ProgressNotes {
  private chain: Promise<void> = Promise.resolve();
  private lastAt = 0;
  private pending = false;
  private holdId = "";
  private timer: ReturnType<typeof setInterval> | undefined;
  private readonly counter = new GrowingCount();
  /** Tokens of the produced output as of the last note: an exact count of everything so far. */
  countedOut = 0;
  readonly heartbeatMs: number;

  constructor(
    private readonly db: Database,
    private readonly src: ProgressSource,
    private readonly opts: { ttlSeconds: number; clock: () => Date; everyMs: number; heartbeatMs?: number; onStop: () => void },
  ) {
    this.heartbeatMs = opts.heartbeatMs ?? Math.max(250, Math.min(MAX_HEARTBEAT_MS, Math.floor((opts.ttlSeconds * 1000) / 4)));
  }

  /** Output arrived: noted now if the interval has passed (or later, once the hold exists). */
  output(): void {
    this.pending = true;
    if (this.holdId && performance.now() - this.lastAt >= this.opts.everyMs) this.note();
  }

  /**
   * The hold exists: notes may be written, the first one an interval from now (a crash loses at
   * most one interval of output, the same bound as between any two notes, and a short reply
   * writes no note at all: its settle records everything); the heartbeat starts.
   */
  start(holdId: string): void {
    this.holdId = holdId;
    this.lastAt = performance.now();
    if (this.pending && this.opts.everyMs <= 0) this.note();
    this.timer = setInterval(() => {
      if (performance.now() - this.lastAt >= this.heartbeatMs) this.note();
    }, this.heartbeatMs);
    this.timer.unref?.();
  }

  /** No more notes; resolves once those under way have landed. */
  async finish(): Promise<void> {
    clearInterval(this.timer);
    await this.chain;
  }

  private note(): void {
    if (!this.holdId) return;
    this.pending = false;
    this.lastAt = performance.now();
    const holdId = this.holdId;
    // Off the delta's path: the note is written after the text has gone out.
    this.chain = this.chain.then(afterIo).then(async () => {
      // The whole output so far, counted exactly (chunks counted apart would overcount), in time
      // proportional to what arrived since the last note.
      this.countedOut = Math.max(this.countedOut, this.counter.count(this.src.produced()));
      const tokensIn = this.src.promptTokens();
      let amount = planTokens({ tokensIn, tokensOut: this.countedOut, weightInMicro: this.src.weights.inMicro, weightOutMicro: this.src.weights.outMicro });
      const cap = this.src.holdAmount();
      if (amount > cap) amount = cap;
      try {
        const n = await recordProgress(this.db, {
          holdId,
          amount,
          now: this.opts.clock(),
          ttlSeconds: this.opts.ttlSeconds,
          draft: this.src.draft(tokensIn, this.countedOut),
        });
        if (n.stop) this.opts.onStop();
      } catch (err) {
        console.error("[completion] progress note failed", describeError(err));
      }
    });
  }
}
