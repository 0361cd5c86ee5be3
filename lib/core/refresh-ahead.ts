import { nowMs } from "@/lib/core/clock";

/** Loads several keys in one call: the map holds a value for each key it answers; any other key is loaded on its own. */
export type LoadMany<V> = (keys: string[]) => Promise<Map<string, V>>;

/** The most keys one batched reload asks for. */
const BATCH_MAX = 500;

/**
 * Runs `f` after the current turn's callbacks and promise jobs, and after the check phase that
 * follows them: the caller's request goes first, its upstream call included (undici writes a
 * request on a reused keep-alive connection in that check phase, behind any immediate queued
 * before it).
 */
const afterThisTurn: (f: () => void) => void =
  typeof setImmediate === "function" ? (f) => void setImmediate(() => void setImmediate(f)) : (f) => void setTimeout(f, 0);

type Entry<V> = { value: V; at: number; refreshing: boolean };

/**
 * An in-process cache whose entries are never used older than `ttlMs`, refreshed ahead of time:
 * a hit in the second half of an entry's life returns it at once and reloads it in the
 * background, so a steadily used key never waits for its reload. A miss (or an entry past
 * `ttlMs`) loads in the foreground; concurrent loads of one key share one call.
 *
 * A background reload starts after the current turn, not inside the caller's `get`: building and
 * sending its query never sits on the path of the request that noticed the entry's age. With a
 * `loadMany`, reloads go out together: those noticed in the same turn, and those noticed while a
 * batched reload is in flight, which wait for it and then go as the next batch (one query for the
 * keys of many requests at once, as in a burst whose requests arrive a turn apart, and never more
 * than one in flight). Without one, each key reloads on its own.
 *
 * `delete`/`clear` win over loads already in flight: what such a load returns is handed to its
 * callers but not stored, so an invalidation is never undone by an older read.
 */
export class RefreshAheadCache<V> {
  private readonly entries = new Map<string, Entry<V>>();
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by delete/clear; a load stores its result only if no invalidation happened meanwhile. */
  private version = 0;
  private readonly now: () => number;
  /** Background reloads waiting for the end of the current turn. */
  private queued: { key: string; entry: Entry<V>; load: () => Promise<V>; version: number }[] = [];
  private queuedMany: LoadMany<V> | undefined;
  /** A batched reload is in flight: reloads noticed meanwhile wait in `queued` for it to end. */
  private manyInFlight = false;

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
    this.now = opts.now ?? nowMs;
  }

  async get(key: string, load: () => Promise<V>, loadMany?: LoadMany<V>): Promise<V> {
    const e = this.fresh(key, load, loadMany);
    return e ? e.value : this.load(key, load);
  }

  /**
   * The entry's value when it may be used now, without waiting a turn (a reload is scheduled as
   * `get` would); undefined when the caller must `get` it.
   */
  peek(key: string, load: () => Promise<V>, loadMany?: LoadMany<V>): { value: V } | undefined {
    const e = this.fresh(key, load, loadMany);
    return e && { value: e.value };
  }

  private fresh(key: string, load: () => Promise<V>, loadMany?: LoadMany<V>): Entry<V> | undefined {
    const e = this.entries.get(key);
    if (!e) return undefined;
    const age = this.now() - e.at;
    if (age > this.opts.ttlMs) return undefined;
    if (age > this.opts.ttlMs / 2 && !e.refreshing) this.refreshLater(key, e, load, loadMany);
    return e;
  }

  delete(key: string): void {
    this.version++;
    this.entries.delete(key);
  }

  clear(): void {
    this.version++;
    this.entries.clear();
  }

  private refreshFailed(e: Entry<V>, err: unknown): void {
    e.refreshing = false;
    (this.opts.onRefreshError ?? ((x: unknown) => console.error("[cache] refresh failed", x)))(err);
  }

  private refreshLater(key: string, e: Entry<V>, load: () => Promise<V>, loadMany?: LoadMany<V>): void {
    e.refreshing = true;
    // An invalidation before the reload starts drops it: the next caller loads in the foreground.
    const version = this.version;
    if (!loadMany) {
      afterThisTurn(() => {
        if (version === this.version) void this.load(key, load).catch((err) => this.refreshFailed(e, err));
      });
      return;
    }
    this.queued.push({ key, entry: e, load, version });
    this.queuedMany ??= loadMany;
    if (this.queued.length === 1 && !this.manyInFlight) afterThisTurn(() => this.refreshQueued());
  }

  private refreshQueued(): void {
    const items = this.queued;
    const many = this.queuedMany!;
    this.queued = [];
    this.queuedMany = undefined;
    // A key a foreground load is already reading is left to that load.
    const todo = items.filter((i) => i.version === this.version && !this.loading.has(i.key));
    const calls: Promise<void>[] = [];
    for (let i = 0; i < todo.length; i += BATCH_MAX) {
      const part = todo.slice(i, i + BATCH_MAX);
      const version = this.version;
      const at = this.now();
      const call = many(part.map((x) => x.key)).then(
        (found) => {
          for (const x of part) {
            if (found.has(x.key)) {
              if (version === this.version) this.store(x.key, found.get(x.key) as V, at);
              else x.entry.refreshing = false;
            } else void this.load(x.key, x.load).catch((err) => this.refreshFailed(x.entry, err));
          }
        },
        (err) => {
          for (const x of part) x.entry.refreshing = false;
          this.refreshFailed(part[0]!.entry, err);
        },
      );
      calls.push(call);
    }
    if (calls.length === 0) return;
    this.manyInFlight = true;
    void Promise.allSettled(calls).then(() => {
      this.manyInFlight = false;
      // What was noticed meanwhile goes now, as one batch.
      if (this.queued.length > 0) this.refreshQueued();
    });
  }

  private store(key: string, v: V, at: number): void {
    if (this.opts.keep && !this.opts.keep(v)) this.entries.delete(key);
    else {
      if (!this.entries.has(key) && this.entries.size >= (this.opts.maxEntries ?? 10_000)) this.entries.clear();
      this.entries.set(key, { value: v, at, refreshing: false });
    }
  }

  private load(key: string, load: () => Promise<V>): Promise<V> {
    const inFlight = this.loading.get(key);
    if (inFlight) return inFlight;
    const version = this.version;
    const at = this.now();
    const p = (async () => {
      try {
        const v = await load();
        if (version === this.version) this.store(key, v, at);
        return v;
      } finally {
        this.loading.delete(key);
      }
    })();
    this.loading.set(key, p);
    return p;
  }
}
