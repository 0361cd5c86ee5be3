/** What the Neon driver needs of a WebSocket class here: a constructor and `send`. */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a WebSocket constructor's arguments are its own business
export type SocketClass = new (...args: any[]) => { send(data: Uint8Array): void; close(code?: number, reason?: string): void };

/**
 * The Neon driver's WebSocket with one message per turn of the event loop: what the code running
 * now writes (a query is five protocol messages written at once: parse, bind, describe, execute,
 * sync) leaves as one WebSocket message as soon as that code returns, in a microtask.
 *
 * The driver's own coalescing (`neonConfig.coalesceWrites`, on by default) holds the writes for a
 * `setTimeout(0)`, which Node makes at least 1 ms and runs only in the event loop's next timers
 * phase: every query waited that long before it left, longer on a busy server, and a hold on a
 * stream's first token with it. Use with `coalesceWrites = false`, so that each write reaches `send`.
 */
export function coalescingWebSocket<C extends SocketClass>(Base: C): C {
  return class CoalescingWebSocket extends Base {
    queuedWrites: Uint8Array[] | null = null;

    override send(data: Uint8Array): void {
      if (this.queuedWrites) {
        this.queuedWrites.push(data);
        return;
      }
      const queued = [data];
      this.queuedWrites = queued;
      queueMicrotask(() => {
        this.queuedWrites = null;
        try {
          super.send(queued.length === 1 ? queued[0]! : concat(queued));
        } catch (err) {
          // Not open any more (or not yet): the driver learns it from the close, as from any drop,
          // rather than from an exception no caller can catch.
          console.error("[db] WebSocket send failed:", err instanceof Error ? err.message : String(err));
          this.close();
        }
      });
    }
  };
}

/** The parts end to end in one array (no Buffer: the driver also runs where Node's globals are absent). */
function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}
