import { describe, expect, it } from "vitest";
import { RefreshAheadCache } from "./refresh-ahead";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets background reloads that have resolved store their results. */
const flush = () => new Promise((r) => setImmediate(r));

describe("RefreshAheadCache", () => {
  it("loads on a miss, serves fresh hits without loading, and shares one load between concurrent misses", async () => {
    let t = 0;
    let loads = 0;
    const c = new RefreshAheadCache<number>({ ttlMs: 1000, now: () => t });
    const d = deferred<number>();
    const load = () => (loads++, d.promise);
    const a = c.get("k", load);
    const b = c.get("k", load);
    d.resolve(7);
    expect(await a).toBe(7);
    expect(await b).toBe(7);
    expect(loads).toBe(1);
    t = 500;
    expect(await c.get("k", async () => (loads++, 8))).toBe(7);
    expect(loads).toBe(1);
  });

  it("in the second half of an entry's life answers at once from the entry and reloads it in the background, once", async () => {
    let t = 0;
    const c = new RefreshAheadCache<number>({ ttlMs: 1000, now: () => t });
    await c.get("k", async () => 1);
    t = 600;
    const d = deferred<number>();
    let loads = 0;
    const load = () => (loads++, d.promise);
    expect(await c.get("k", load)).toBe(1);
    expect(await c.get("k", load)).toBe(1);
    expect(loads).toBe(1);
    d.resolve(2);
    await d.promise;
    await flush();
    // The reloaded value counts its age from when the reload started (t = 600).
    t = 1500;
    expect(await c.get("k", async () => 3)).toBe(2);
  });

  it("never answers from an entry older than ttlMs: past it, the caller waits for the load", async () => {
    let t = 0;
    const c = new RefreshAheadCache<string>({ ttlMs: 1000, now: () => t });
    await c.get("k", async () => "old");
    t = 1001;
    const d = deferred<string>();
    const p = c.get("k", () => d.promise);
    let settled = false;
    void p.then(() => (settled = true));
    await flush();
    expect(settled).toBe(false);
    d.resolve("new");
    expect(await p).toBe("new");
  });

  it("an invalidation is not undone by a load that was already in flight", async () => {
    let t = 0;
    const c = new RefreshAheadCache<string>({ ttlMs: 1000, now: () => t });
    await c.get("k", async () => "live");
    t = 600;
    const d = deferred<string>();
    expect(await c.get("k", () => d.promise)).toBe("live"); // background reload starts
    c.delete("k"); // e.g. the key was revoked in this process
    d.resolve("live (read before the revoke)");
    await flush();
    let loads = 0;
    expect(await c.get("k", async () => (loads++, "revoked"))).toBe("revoked");
    expect(loads).toBe(1);
  });

  it("does not remember results `keep` rejects, and a failed background reload leaves the entry to expire", async () => {
    let t = 0;
    const errors: unknown[] = [];
    const c = new RefreshAheadCache<string | null>({ ttlMs: 1000, now: () => t, keep: (v) => v !== null, onRefreshError: (e) => errors.push(e) });
    let loads = 0;
    expect(await c.get("missing", async () => (loads++, null))).toBeNull();
    expect(await c.get("missing", async () => (loads++, null))).toBeNull();
    expect(loads).toBe(2);

    await c.get("k", async () => "v1");
    t = 700;
    expect(await c.get("k", async () => Promise.reject(new Error("db down")))).toBe("v1");
    await flush();
    expect(errors).toHaveLength(1);
    // A later hit in the same half-life tries the reload again.
    expect(await c.get("k", async () => "v2")).toBe("v1");
    await flush();
    t = 1200;
    expect(await c.get("k", async () => "v3")).toBe("v2");
  });
});
