import http from "node:http";
import https from "node:https";

/**
 * A `fetch` for model upstreams on node:http(s) with keep-alive agents. The AI SDK accepts a
 * custom fetch; this one skips the work a general-purpose (and, inside Next.js, instrumented)
 * fetch does per call, which sits directly on every reply's time to first token. The body
 * streams with backpressure; aborting the signal destroys the request and errors the body with
 * an AbortError, as fetch does.
 */
const agents = {
  "http:": new http.Agent({ keepAlive: true, maxSockets: 512, scheduling: "lifo" }),
  "https:": new https.Agent({ keepAlive: true, maxSockets: 512, scheduling: "lifo" }),
};

function abortError(signal: AbortSignal | null | undefined): Error {
  const r = signal?.reason;
  return r instanceof Error ? r : new DOMException("This operation was aborted", "AbortError");
}

function headerRecord(h: HeadersInit | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (!h) return out;
  if (h instanceof Headers) h.forEach((v, k) => (out[k] = v));
  else if (Array.isArray(h)) for (const [k, v] of h) out[k.toLowerCase()] = v;
  else for (const [k, v] of Object.entries(h)) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

export const upstreamFetch: typeof fetch = (input, init) => {
  // Anything but a plain URL with a string or byte body goes to the platform fetch.
  const body = init?.body;
  if (input instanceof Request || (body != null && typeof body !== "string" && !(body instanceof Uint8Array))) return fetch(input, init);
  const url = new URL(String(input));
  const mod = url.protocol === "https:" ? https : url.protocol === "http:" ? http : null;
  if (!mod) return fetch(input, init);
  const signal = init?.signal ?? undefined;
  if (signal?.aborted) return Promise.reject(abortError(signal));

  return new Promise<Response>((resolve, reject) => {
    const headers = headerRecord(init?.headers);
    if (body != null) headers["content-length"] = String(typeof body === "string" ? Buffer.byteLength(body) : body.byteLength);
    const req = mod.request(
      url,
      { method: init?.method ?? "GET", headers, agent: agents[url.protocol as "http:" | "https:"] },
      (res) => {
        let done = false;
        const stream = new ReadableStream<Uint8Array>(
          {
            start(c) {
              res.on("data", (d: Buffer) => {
                c.enqueue(new Uint8Array(d.buffer, d.byteOffset, d.byteLength));
                if ((c.desiredSize ?? 1) <= 0) res.pause();
              });
              res.on("end", () => {
                if (done) return;
                done = true;
                signal?.removeEventListener("abort", onAbort);
                c.close();
              });
              const fail = (e: Error) => {
                if (done) return;
                done = true;
                signal?.removeEventListener("abort", onAbort);
                c.error(signal?.aborted ? abortError(signal) : e);
              };
              res.on("error", fail);
              res.on("close", () => {
                if (!res.complete) fail(new Error("upstream connection closed mid-body"));
              });
            },
            pull() {
              res.resume();
            },
            cancel() {
              done = true;
              signal?.removeEventListener("abort", onAbort);
              res.destroy();
            },
          },
          { highWaterMark: 16 },
        );
        const h = new Headers();
        for (let i = 0; i < res.rawHeaders.length; i += 2) h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
        const status = res.statusCode ?? 0;
        const nullBody = status === 204 || status === 304 || init?.method === "HEAD";
        if (nullBody) res.resume();
        resolve(new Response(nullBody ? null : stream, { status, statusText: res.statusMessage, headers: h }));
      },
    );
    const onAbort = () => req.destroy(abortError(signal));
    signal?.addEventListener("abort", onAbort, { once: true });
    req.on("error", (e) => {
      signal?.removeEventListener("abort", onAbort);
      reject(signal?.aborted ? abortError(signal) : e);
    });
    if (body != null) req.end(body);
    else req.end();
  });
};
