/**
 * The gateway's request and reply shapes, apart from the HTTP edge (http.ts) so that the error
 * replies (errors.ts) and the edge do not import each other.
 */
import type { StartSuccess, TextEvent } from "@/lib/completion/types";

/** What the gateway reads from a request. */
export type GatewayRequest = {
  /** A header's value (lower-case name), or undefined. */
  header(name: string): string | undefined;
  /** Every header, lower-case names. */
  headers(): Iterable<[string, string]>;
  /** The parsed JSON body; rejects with a BodyError. */
  json(): Promise<unknown>;
  /** Aborts when the client goes away before the reply is complete. */
  signal: AbortSignal;
  /**
   * scheme://address:port where this server itself is reached: the connection's local end, not
   * the Host header (a client could name any host there and have the server call it).
   */
  selfOrigin(): string;
};

/**
 * A streamed reply: it writes its pieces itself, each the moment it has it (`pipe`). `write`
 * returns false when the connection's buffer is full (the stream then waits for `more()`); `end`
 * gives the last piece, or `fail` says the stream broke (the connection is cut). `cancel()` when
 * the client left.
 */
export type ReplyStream = { pipe(out: ReplyPipe): { more(): void }; cancel(): void };

/** Where a piped stream writes. */
export type ReplyPipe = { write(piece: string): boolean; end(last: string | null): void; fail(err: unknown): void };

export type GatewayReply =
  | { status: number; headers: Record<string, string>; body: string }
  | { status: number; headers: Record<string, string>; stream: ReplyStream };

/**
 * Pipes a started completion's deltas to `out`, as both dialects' streams do: `head` at once (the
 * response is on the wire before the model's first token), then the first delta (already asked
 * for), then each delta as the pipeline hands it over, written in the same turn as the provider's
 * event was read; `last()`, once the deltas ended, gives the closing piece.
 */
export function pipeDeltas(
  out: ReplyPipe,
  p: {
    head: string;
    first: Promise<IteratorResult<TextEvent>>;
    started: Pick<StartSuccess, "follow">;
    /** Writes one delta; false when the connection's buffer is full. */
    write: (ev: TextEvent) => boolean;
    last: () => Promise<string | null>;
  },
): { more(): void } {
  out.write(p.head);
  const close = () =>
    p.last().then(
      (last) => out.end(last),
      (err) => out.fail(err),
    );
  let flow: { more(): void } | null = null;
  p.first.then(
    (r) => {
      if (r.done) return void close();
      p.write(r.value);
      flow = p.started.follow({ take: p.write, end: () => void close() });
    },
    (err) => out.fail(err),
  );
  return { more: () => flow?.more() };
}
