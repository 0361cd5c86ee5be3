import { describe, expect, it } from "vitest";
import { DeltaQueue } from "./queue";
import type { TextEvent } from "./types";

function queue() {
  const delivered: string[] = [];
  let gone = 0;
  const q = new DeltaQueue(
    (ev) => delivered.push(ev.text),
    () => gone++,
  );
  return { q, delivered, gone: () => gone };
}

describe("DeltaQueue.follow", () => {
  it("hands each delta over the moment it is pushed, what came before as one", () => {
    const { q, delivered } = queue();
    q.push("a");
    q.push("b");
    const taken: TextEvent[] = [];
    let ended = 0;
    q.follow({ take: (ev) => (taken.push(ev), true), end: () => ended++ });
    expect(taken.map((e) => e.text)).toEqual(["ab"]);
    q.push("c");
    expect(taken.map((e) => e.text)).toEqual(["ab", "c"]);
    expect(ended).toBe(0);
    q.end();
    expect(ended).toBe(1);
    expect(delivered).toEqual(["ab", "c"]);
  });

  it("while the taker is full, deltas wait and go as one on more(); the end comes after them", async () => {
    const { q, delivered } = queue();
    const taken: string[] = [];
    let room = false;
    let ended = 0;
    const flow = q.follow({ take: (ev) => (taken.push(ev.text), room), end: () => ended++ });
    q.push("x");
    q.push("y", [{ index: 0, id: "c1", name: "f", arguments: "{" }]);
    q.push("z", [{ index: 0, arguments: "}" }]);
    q.end();
    expect(taken).toEqual(["x"]);
    expect(ended).toBe(0);
    let finished = false;
    void q.finished.then(() => (finished = true));
    await Promise.resolve();
    expect(finished).toBe(false);
    room = true;
    flow.more();
    expect(taken).toEqual(["x", "yz"]);
    expect(ended).toBe(1);
    expect(delivered).toEqual(["x", "yz"]);
    flow.more();
    expect(ended).toBe(1);
  });

  it("joins a tool call's pieces while they wait", () => {
    const { q } = queue();
    q.push("", [{ index: 0, id: "c1", name: "f", arguments: '{"a"' }]);
    q.push("", [{ index: 0, arguments: ":1}" }]);
    const taken: TextEvent[] = [];
    q.follow({ take: (ev) => (taken.push(ev), true), end: () => {} });
    expect(taken[0]!.toolCalls).toEqual([{ index: 0, id: "c1", name: "f", arguments: '{"a":1}' }]);
  });

  it("abandon drops what waits, ends the taker once, and tells the producer", () => {
    const { q, delivered, gone } = queue();
    let ended = 0;
    const flow = q.follow({ take: () => false, end: () => ended++ });
    q.push("a");
    q.push("b");
    q.abandon();
    flow.more();
    expect(ended).toBe(1);
    expect(gone()).toBe(1);
    expect(delivered).toEqual(["a"]);
    expect(q.consumerGone).toBe(true);
  });
});
