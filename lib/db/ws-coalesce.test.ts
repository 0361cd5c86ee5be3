import { describe, expect, it, vi } from "vitest";
import { coalescingWebSocket } from "./ws-coalesce";

class Recorder {
  sent: Uint8Array[] = [];
  closed = 0;
  failNext = false;
  constructor(readonly url: string) {}
  send(data: Uint8Array): void {
    if (this.failNext) throw new Error("WebSocket is not open");
    this.sent.push(data);
  }
  close(): void {
    this.closed++;
  }
}

const bytes = (...n: number[]) => new Uint8Array(n);
const turn = () => new Promise<void>((r) => setImmediate(r));

describe("coalescingWebSocket", () => {
  it("sends what one turn wrote as one message, in order, before any timer", async () => {
    const S = coalescingWebSocket(Recorder);
    const s = new S("ws://db");
    expect(s.url).toBe("ws://db");
    s.send(bytes(1, 2));
    s.send(bytes(3));
    s.send(bytes(4, 5, 6));
    expect(s.sent).toHaveLength(0);
    await Promise.resolve();
    expect(s.sent.map((b) => [...b])).toEqual([[1, 2, 3, 4, 5, 6]]);
  });

  it("one write goes as it is; writes of later turns are messages of their own", async () => {
    const S = coalescingWebSocket(Recorder);
    const s = new S("ws://db");
    const only = bytes(7);
    s.send(only);
    await turn();
    s.send(bytes(8));
    s.send(bytes(9));
    await turn();
    expect(s.sent[0]).toBe(only);
    expect(s.sent.slice(1).map((b) => [...b])).toEqual([[8, 9]]);
  });

  it("keeps each socket's writes apart", async () => {
    const S = coalescingWebSocket(Recorder);
    const a = new S("ws://a");
    const b = new S("ws://b");
    a.send(bytes(1));
    b.send(bytes(2));
    a.send(bytes(3));
    await turn();
    expect(a.sent.map((x) => [...x])).toEqual([[1, 3]]);
    expect(b.sent.map((x) => [...x])).toEqual([[2]]);
  });

  it("a send that throws closes the socket instead of escaping the microtask", async () => {
    const err = vi.spyOn(console, "error").mockImplementation(() => {});
    const S = coalescingWebSocket(Recorder);
    const s = new S("ws://db");
    s.failNext = true;
    s.send(bytes(1));
    await turn();
    expect(s.closed).toBe(1);
    expect(err).toHaveBeenCalledWith("[db] WebSocket send failed:", "WebSocket is not open");
    err.mockRestore();
  });
});
