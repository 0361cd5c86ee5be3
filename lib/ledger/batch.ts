/**
 * Natural batching per key (a queue): the first request for a key goes out at once; requests
 * for the same key that arrive while it is in flight queue and go out together as one call when
 * it returns. No timer, so an idle system adds no latency; under load one call and one
 * commit serve a whole batch. If a batch call fails, its requests are retried one by one so one
 * bad request never fails the others.
 */
export class KeyedBatcher<I, R> {
  private readonly queues = new Map<string, { input: I; resolve: (r: R) => void; reject: (e: unknown) => void }[]>();

  constructor(
    private readonly runOne: (input: I) => Promise<R>,
    private readonly runMany: (inputs: I[]) => Promise<R[]>,
    private readonly maxBatch = 64,
  ) {}

  submit(key: string, input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      const q = this.queues.get(key);
      if (q) {
        q.push({ input, resolve, reject });
        return;
      }
      this.queues.set(key, []);
      void this.drain(key, [{ input, resolve, reject }]);
    });
  }

  private async drain(key: string, first: { input: I; resolve: (r: R) => void; reject: (e: unknown) => void }[]): Promise<void> {
    let batch = first;
    for (;;) {
      if (batch.length === 1) {
        try {
          batch[0].resolve(await this.runOne(batch[0].input));
        } catch (e) {
          batch[0].reject(e);
        }
      } else {
        let results: R[] | undefined;
        try {
          results = await this.runMany(batch.map((b) => b.input));
        } catch {
          results = undefined;
        }
        if (results) batch.forEach((b, i) => b.resolve(results[i]));
        else
          await Promise.all(
            batch.map(async (b) => {
              try {
                b.resolve(await this.runOne(b.input));
              } catch (e) {
                b.reject(e);
              }
            }),
          );
      }
      const q = this.queues.get(key)!;
      if (q.length === 0) {
        this.queues.delete(key);
        return;
      }
      batch = q.splice(0, this.maxBatch);
    }
  }
}

/** A bounded map from hold to wallet, so settles of holds reserved here can batch per wallet. */
export class HoldWalletHints {
  private readonly map = new Map<string, string>();
  constructor(private readonly max = 100_000) {}
  set(holdId: string, walletId: string): void {
    if (this.map.size >= this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    this.map.set(holdId, walletId);
  }
  take(holdId: string): string | undefined {
    const w = this.map.get(holdId);
    if (w !== undefined) this.map.delete(holdId);
    return w;
  }
}
