/**
 * The gateway's request and reply shapes, apart from the HTTP edge (http.ts) so that the error
 * replies (errors.ts) and the edge do not import each other.
 */

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
