import type { IncomingMessage, ServerResponse } from "node:http";
import { errorFor, openAiError } from "./errors";
import type { GatewayReply, GatewayRequest } from "./reply";
import { DomainError, describeError } from "@/lib/core/errors";

/**
 * The gateway's HTTP edge on Node's own request and response objects. The API is served by
 * Next's Pages Router API routes (pages/api/v1), which hand a route the raw IncomingMessage and
 * ServerResponse: a streamed reply is written straight onto the socket, without the App Router's
 * web Request/Response adaptation, which costs more per streamed reply under `next start`
 * (README, Benchmarks). The same handlers serve the tests' plain node:http server.
 */

export type { GatewayRequest, ReplyStream, ReplyPipe, GatewayReply } from "./reply";

export class BodyError extends DomainError<"request_too_large" | "invalid_json" | "body_aborted"> {
  constructor(code: "request_too_large" | "invalid_json" | "body_aborted") {
    super(code);
    this.name = "BodyError";
  }
}

/** Request bodies above this are refused with 413 (a long conversation is well under 1 MB). */
export const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The request body as JSON. With a content-length, the body is complete when that many bytes
 * have arrived (Node's parser never hands over more), without waiting for the 'end' event.
 */
function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const length = req.headers["content-length"] === undefined ? -1 : Number(req.headers["content-length"]);
  if (length > limit) return Promise.reject(new BodyError("request_too_large"));
  // Usually the whole body came with the headers and waits in the request's buffer: taken at
  // once, without switching the stream to flowing mode (a tick later) to be handed it.
  if (length > 0 && req.readableLength === length && req.readableFlowing === null) {
    const body = req.read(length) as Buffer | null;
    if (body !== null && body.length === length) {
      try {
        return Promise.resolve(JSON.parse(body.toString("utf8")) as unknown);
      } catch {
        return Promise.reject(new BodyError("invalid_json"));
      }
    }
    if (body !== null) req.unshift(body);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    // Once settled, no listener stays behind (a request's close would otherwise build an error per request).
    const done = (err: BodyError | null, value?: unknown) => {
      if (settled) return;
      settled = true;
      req.off("data", onData);
      req.off("end", parse);
      req.off("error", aborted);
      req.off("close", aborted);
      if (err) reject(err);
      else resolve(value);
    };
    const parse = () => {
      if (settled) return;
      try {
        done(null, JSON.parse(Buffer.concat(chunks, size).toString("utf8")));
      } catch {
        done(new BodyError("invalid_json"));
      }
    };
    const aborted = () => {
      if (!settled) done(new BodyError("body_aborted"));
    };
    const onData = (c: Buffer) => {
      size += c.length;
      if (size > limit) return done(new BodyError("request_too_large"));
      chunks.push(c);
      if (size === length) parse();
    };
    req.on("data", onData);
    req.on("end", parse);
    req.on("error", aborted);
    req.on("close", aborted);
  });
}

/**
 * A Node request as the gateway reads it. The body is read only when json() is first called, after
 * the key was checked: an anonymous or refused caller gets its answer without the server taking
 * in a byte of what it sent (Node discards the unread rest once the reply is out).
 */
export function nodeRequest(req: IncomingMessage, res: ServerResponse, maxBodyBytes = MAX_BODY_BYTES): GatewayRequest {
  let body: Promise<unknown> | undefined;
  // The signal is made when first asked for (after the upstream call is on its way, for a chat).
  let ac: AbortController | undefined;
  let gone = false;
  res.once("close", () => {
    if (res.writableFinished) return;
    gone = true;
    ac?.abort();
  });
  const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v.join(", ") : v);
  return {
    header: (name) => one(req.headers[name]),
    *headers() {
      for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) yield [k, one(v)!];
    },
    json: () => (body ??= readJson(req, maxBodyBytes)),
    get signal() {
      if (!ac) {
        ac = new AbortController();
        if (gone) ac.abort();
      }
      return ac.signal;
    },
    selfOrigin() {
      const s = req.socket as IncomingMessage["socket"] & { encrypted?: boolean };
      const host = s.localAddress?.includes(":") ? `[${s.localAddress}]` : (s.localAddress ?? "127.0.0.1");
      return `${s.encrypted ? "https" : "http"}://${host}:${s.localPort}`;
    },
  };
}

/**
 * Writes a reply. A stream writes its pieces as it has them (backpressure: it waits for the
 * socket to drain); the client leaving cancels the stream; a stream that fails mid-way cuts the
 * connection, as a provider's dropped stream would look to the client. Resolves once the stream
 * ended or the client left.
 */
export async function writeNodeReply(reply: GatewayReply, res: ServerResponse): Promise<void> {
  if ("body" in reply) {
    res.writeHead(reply.status, { ...reply.headers, "content-length": String(Buffer.byteLength(reply.body)) });
    res.end(reply.body);
    return;
  }
  const { stream } = reply;
  res.writeHead(reply.status, reply.headers);
  return new Promise<void>((resolve) => {
    let over = false;
    const finish = () => {
      if (over) return;
      over = true;
      res.off("close", onClose);
      res.off("drain", more);
      resolve();
    };
    const onClose = () => {
      // The client went away before the end: the stream is cancelled (what was delivered is charged).
      if (!over && !res.writableFinished) stream.cancel();
      finish();
    };
    const fail = (err: unknown) => {
      console.error("[gateway] stream failed", describeError(err));
      res.destroy();
      finish();
    };
    res.once("close", onClose);
    let flow: { more(): void } | undefined;
    try {
      flow = stream.pipe({
        write: (piece) => !over && res.write(piece),
        end: (last) => {
          if (!over) {
            if (last) res.end(last);
            else res.end();
          }
          finish();
        },
        fail,
      });
    } catch (err) {
      fail(err);
    }
    // A function declaration: finish() above may name it before the stream is piped.
    function more() {
      flow?.more();
    }
    if (!over) res.on("drain", more);
  });
}

/**
 * One API route on Node's request/response: the method check, the gateway call, and a 500 in
 * OpenAI's format for anything unexpected before the reply started.
 */
export function nodeRoute(method: "GET" | "POST", run: (req: GatewayRequest) => Promise<GatewayReply>) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    let reply: GatewayReply;
    if (req.method !== method) {
      reply = openAiError(errorFor("method_not_allowed", { message: `Use ${method} for this endpoint.` }), { allow: method });
    } else {
      try {
        reply = await run(nodeRequest(req, res));
      } catch (err) {
        console.error("[gateway] request failed", describeError(err));
        reply = openAiError(errorFor("internal"));
      }
    }
    await writeNodeReply(reply, res);
  };
}
