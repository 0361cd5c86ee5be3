import { describe, expect, it } from "vitest";
import { RefreshAheadCache } from "./refresh-ahead";

function deferred<T>() {
  let resolve!: (v: T) => void;
  let reject!: (e: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
}

/** Lets background reloads that have resolved store their results. */
// A background reload starts two check phases on (after the turn that noticed the entry's age).
const flush = () => new Promise((r) => setImmediate(() => setImmediate(r)));

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
    // The reload starts after the turn of the request that noticed the age, not inside its get.
    expect(loads).toBe(0);
    await flush();
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

  it("reloads noticed in one turn are made together by loadMany; keys it does not answer are loaded one by one", async () => {
    let t = 0;
    const c = new RefreshAheadCache<string | null>({ ttlMs: 1000, now: () => t, keep: (v) => v !== null });
    for (const k of ["a", "b", "c", "gone"]) await c.get(k, async () => `${k}1`);
    t = 600;
    const batches: string[][] = [];
    let single = 0;
    const many = async (keys: string[]) => {
      batches.push(keys);
      // "c" is not answered (its own load reads it); "gone" no longer exists.
      return new Map<string, string | null>(keys.filter((k) => k !== "c").map((k) => [k, k === "gone" ? null : `${k}2`]));
    };
    const one = (k: string) => async () => (single++, `${k}2-single`);
    const got = await Promise.all(["a", "b", "c", "gone", "a"].map((k) => c.get(k, one(k), many)));
    expect(got).toEqual(["a1", "b1", "c1", "gone1", "a1"]);
    expect(batches).toEqual([]);
    await flush();
    await flush();
    expect(batches).toEqual([["a", "b", "c", "gone"]]);
    expect(single).toBe(1);
    expect(await c.get("a", one("a"), many)).toBe("a2");
    expect(await c.get("c", one("c"), many)).toBe("c2-single");
    // Not kept: the next caller waits for a load of its own.
    expect(await c.get("gone", async () => "back", many)).toBe("back");
  });

  it("reloads noticed while a batched reload is in flight wait for it and go out as one batch", async () => {
    let t = 0;
    const errors: unknown[] = [];
    const c = new RefreshAheadCache<string>({ ttlMs: 1000, now: () => t, onRefreshError: (e) => errors.push(e) });
    const keys = ["a", "b", "c", "d", "e"];
    for (const k of keys) await c.get(k, async () => `${k}1`);
    t = 600;
    const batches: string[][] = [];
    const pending: ReturnType<typeof deferred<Map<string, string>>>[] = [];
    const many = (ks: string[]) => {
      batches.push(ks);
      const d = deferred<Map<string, string>>();
      pending.push(d);
      return d.promise;
    };
    const one = (k: string) => async () => `${k}-single`;
    // A burst whose requests arrive a turn apart: "a" starts a batch; the others come while it is out.
    expect(await c.get("a", one("a"), many)).toBe("a1");
    await flush();
    expect(batches).toEqual([["a"]]);
    for (const k of ["b", "c", "d"]) {
      expect(await c.get(k, one(k), many)).toBe(`${k}1`);
      await flush();
    }
    expect(batches).toEqual([["a"]]);
    pending[0]!.resolve(new Map([["a", "a2"]]));
    await flush();
    expect(batches).toEqual([["a"], ["b", "c", "d"]]);
    expect(await c.get("a", one("a"), many)).toBe("a2");
    // A failed batch still lets the next one go.
    expect(await c.get("e", one("e"), many)).toBe("e1");
    pending[1]!.reject(new Error("db down"));
    await flush();
    expect(batches).toEqual([["a"], ["b", "c", "d"], ["e"]]);
    expect(errors).toHaveLength(1);
    pending[2]!.resolve(new Map([["e", "e2"]]));
    await flush();
    expect(await c.get("e", one("e"), many)).toBe("e2");
    expect(await c.get("b", one("b"), many)).toBe("b1");
  });

  it("an invalidation drops a batched reload that has not started, and a failed batch leaves the entries to be tried again", async () => {
    let t = 0;
    const errors: unknown[] = [];
    const c = new RefreshAheadCache<string>({ ttlMs: 1000, now: () => t, onRefreshError: (e) => errors.push(e) });
    await c.get("k", async () => "v1");
    t = 600;
    let calls = 0;
    expect(
      await c.get(
        "k",
        async () => "one",
        async () => (calls++, new Map([["k", "stale"]])),
      ),
    ).toBe("v1");
    c.clear();
    await flush();
    expect(calls).toBe(0);
    expect(await c.get("k", async () => "fresh")).toBe("fresh");

    t = 1200;
    expect(
      await c.get(
        "k",
        async () => "one",
        () => Promise.reject(new Error("db down")),
      ),
    ).toBe("fresh");
    await flush();
    await flush();
    expect(errors).toHaveLength(1);
    expect(
      await c.get(
        "k",
        async () => "one",
        async () => new Map([["k", "v2"]]),
      ),
    ).toBe("fresh");
    await flush();
    await flush();
    expect(await c.get("k", async () => "never")).toBe("v2");
  });

  it("peek answers a fresh entry at once (scheduling its reload as get does) and nothing for a missing or expired one", async () => {
    let t = 0;
    const c = new RefreshAheadCache<string>({ ttlMs: 1000, now: () => t });
    let loads = 0;
    const load = async () => (loads++, `v${loads}`);
    expect(c.peek("k", load)).toBeUndefined();
    expect(loads).toBe(0);
    await c.get("k", load);
    expect(c.peek("k", load)).toEqual({ value: "v1" });
    t = 600;
    expect(c.peek("k", load)).toEqual({ value: "v1" });
    await flush();
    expect(loads).toBe(2);
    expect(c.peek("k", load)).toEqual({ value: "v2" });
    t = 1700;
    expect(c.peek("k", load)).toBeUndefined();
    expect(loads).toBe(2);
  });
});
