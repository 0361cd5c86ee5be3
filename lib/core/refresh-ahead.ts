/**
 * An in-process cache whose entries are never used older than `ttlMs`, refreshed ahead of time:
 * a hit in the second half of an entry's life returns it at once and reloads it in the
 * background, so a steadily used key never waits for its reload. A miss (or an entry past
 * `ttlMs`) loads in the foreground; concurrent loads of one key share one call.
 *
 * `delete`/`clear` win over loads already in flight: what such a load returns is handed to its
 * callers but not stored, so an invalidation is never undone by an older read.
 */
export class RefreshAheadCache<V> {
  private readonly entries = new Map<string, { value: V; at: number; refreshing: boolean }>();
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by delete/clear; a load stores its result only if no invalidation happened meanwhile. */
  private version = 0;
  private readonly now: () => number;

  constructor(
    private readonly opts: {
      ttlMs: number;
      maxEntries?: number;
      /** Results that must not be remembered (e.g. "no such key"). */
      keep?: (v: V) => boolean;
      now?: () => number;
      onRefreshError?: (err: unknown) => void;
    },
  ) {
    this.now = opts.now ?? Date.now;
  }

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const e = this.entries.get(key);
    if (e) {
      const age = this.now() - e.at;
      if (age <= this.opts.ttlMs) {
        if (age > this.opts.ttlMs / 2 && !e.refreshing) {
          e.refreshing = true;
          this.load(key, load).catch((err) => {
            e.refreshing = false;
            (this.opts.onRefreshError ?? ((x: unknown) => console.error("[cache] refresh failed", x)))(err);
          });
        }
        return e.value;
      }
    }
    return this.load(key, load);
  }

  delete(key: string): void {
    this.version++;
    this.entries.delete(key);
  }

  clear(): void {
    this.version++;
    this.entries.clear();
  }

  private load(key: string, load: () => Promise<V>): Promise<V> {
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const version = this.version;
    const at = this.now();
    const p = (async () => {
      try {
        const v = await load();
        if (version === this.version) {
          if (this.opts.keep && !this.opts.keep(v)) this.entries.delete(key);
          else {
            if (!this.entries.has(key) && this.entries.size >= (this.opts.maxEntries ?? 10_000)) this.entries.clear();
            this.entries.set(key, { value: v, at, refreshing: false });
          }
        }
        return v;
      } finally {
        this.loading.delete(key);
      }
    })();
    this.loading.set(key, p);
    return p;
  }
}
