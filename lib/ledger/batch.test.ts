import { describe, expect, it } from "vitest";
import { KeyedBatcher } from "./batch";

/** A call that returns when the test says so. */
function gate() {
  let open!: () => void;
  const opened = new Promise<void>((r) => (open = r));
  return { open, opened };
}

describe("KeyedBatcher", () => {
  function recorder(maxBatch = 64) {
    const calls: number[][] = [];
    const gates: ReturnType<typeof gate>[] = [];
    const run = async (inputs: number[]) => {
      calls.push(inputs);
      const g = gate();
      gates.push(g);
      await g.opened;
      return inputs.map((n) => n * 10);
    };
    const b = new KeyedBatcher<number, number>(
      async (n) => (await run([n]))[0]!,
      (ns) => run(ns),
      maxBatch,
    );
    return { b, calls, gates };
  }
  const turn = () => new Promise((r) => setImmediate(r));

  it("sends a request at once, and batches what arrives while a call is in flight", async () => {
    const { b, calls, gates } = recorder();
    const results = [1, 2, 3].map((n) => b.submit("k", n));
    await turn();
    expect(calls).toEqual([[1]]);
    gates[0]!.open();
    await turn();
    expect(calls).toEqual([[1], [2, 3]]);
    gates[1]!.open();
    expect(await Promise.all(results)).toEqual([10, 20, 30]);
  });

  it("keeps keys apart and caps a batch at maxBatch", async () => {
    const { b, calls, gates } = recorder(2);
    const results = [b.submit("a", 1), b.submit("b", 2), b.submit("a", 3), b.submit("a", 4), b.submit("a", 5)];
    await turn();
    expect(calls).toEqual([[1], [2]]);
    gates[0]!.open();
    await turn();
    expect(calls).toEqual([[1], [2], [3, 4]]);
    gates[2]!.open();
    await turn();
    expect(calls).toEqual([[1], [2], [3, 4], [5]]);
    gates[1]!.open();
    gates[3]!.open();
    expect(await Promise.all(results)).toEqual([10, 20, 30, 40, 50]);
  });

  it("retries a failed batch one by one, so one bad request fails alone", async () => {
    const calls: number[][] = [];
    let release!: () => void;
    const first = new Promise<void>((r) => (release = r));
    const b = new KeyedBatcher<number, number>(
      async (n) => {
        calls.push([n]);
        if (n === 1) await first;
        if (n === 3) throw new Error("bad");
        return n;
      },
      async (ns) => {
        calls.push(ns);
        throw new Error("batch aborted");
      },
    );
    const results = [1, 2, 3, 4].map((n) => b.submit("k", n).catch((e: Error) => e.message));
    await turn();
    release();
    expect(await Promise.all(results)).toEqual([1, 2, "bad", 4]);
    expect(calls).toEqual([[1], [2, 3, 4], [2], [3], [4]]);
  });

  it("empties its queue: once the calls returned, the next request goes out at once", async () => {
    const { b, calls, gates } = recorder();
    const r1 = b.submit("k", 1);
    await turn();
    gates[0]!.open();
    expect(await r1).toBe(10);
    const r2 = b.submit("k", 2);
    await turn();
    expect(calls).toEqual([[1], [2]]);
    gates[1]!.open();
    expect(await r2).toBe(20);
  });
});
