import { afterAll, describe, expect, it } from "vitest";
import http, { createServer, request, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { installPeerAddressHeader, normalizeIp, PEER_HEADER, peerAddressHeaderInstalled, peerFromHeader, selectClientIp } from "./client-ip";

describe("choosing the client IP", () => {
  it("with no trusted proxy takes the socket peer and ignores X-Forwarded-For", () => {
    expect(selectClientIp({ peer: "203.0.113.7", forwardedFor: "1.1.1.1, 2.2.2.2", trustedHops: 0 })).toBe("203.0.113.7");
    expect(selectClientIp({ peer: "::ffff:203.0.113.7", forwardedFor: null, trustedHops: 0 })).toBe("203.0.113.7");
  });

  it("behind N proxies takes the rightmost hop they did not write", () => {
    // client 198.51.100.9 → proxy (10.0.0.2) → app: the proxy appended the client.
    expect(selectClientIp({ peer: "10.0.0.2", forwardedFor: "198.51.100.9", trustedHops: 1 })).toBe("198.51.100.9");
    // The client prepends lies; the proxy still appends the truth.
    expect(selectClientIp({ peer: "10.0.0.2", forwardedFor: "6.6.6.6, 7.7.7.7, 198.51.100.9", trustedHops: 1 })).toBe("198.51.100.9");
    // CDN (appends client) → load balancer (appends CDN edge) → app.
    expect(selectClientIp({ peer: "10.0.0.3", forwardedFor: "6.6.6.6, 198.51.100.9, 172.16.0.5", trustedHops: 2 })).toBe("198.51.100.9");
    // A chain shorter than the trusted hops gives its leftmost address.
    expect(selectClientIp({ peer: "10.0.0.3", forwardedFor: null, trustedHops: 2 })).toBe("10.0.0.3");
    expect(selectClientIp({ peer: "10.0.0.3", forwardedFor: "2001:db8::1", trustedHops: 1 })).toBe("2001:db8::1");
  });

  it("never returns something that is not an IP", () => {
    expect(selectClientIp({ peer: "10.0.0.2", forwardedFor: "1.1.1.1, <script>", trustedHops: 1 })).toBeNull();
    expect(selectClientIp({ peer: null, forwardedFor: null, trustedHops: 0 })).toBeNull();
    expect(normalizeIp("[2001:db8::1]")).toBe("2001:db8::1");
    expect(normalizeIp("unknown")).toBeNull();
  });
});

describe("the peer address header", () => {
  const servers: Server[] = [];
  afterAll(async () => {
    for (const s of servers) {
      s.closeAllConnections();
      await new Promise((r) => s.close(r));
    }
  });

  /** A server that, like Next while it starts, reads a request's headers only once `ready` resolves. */
  async function server(ready: Promise<void>): Promise<number> {
    const s = createServer(async (req: IncomingMessage, res) => {
      await ready;
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify({ peer: peerFromHeader(req.headers[PEER_HEADER] as string | undefined), xff: req.headers["x-forwarded-for"] ?? null }));
    });
    await new Promise<void>((r) => s.listen(0, "127.0.0.1", r));
    servers.push(s);
    return (s.address() as AddressInfo).port;
  }

  function get(port: number, headers: Record<string, string>): Promise<{ peer: string | null; xff: string | null }> {
    return new Promise((resolve, reject) => {
      const req = request({ host: "127.0.0.1", port, path: "/", headers }, (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve(JSON.parse(body)));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("a request taken in before it was installed has no known peer, whatever it claims", async () => {
    let open!: () => void;
    const ready = new Promise<void>((r) => (open = r));
    const port = await server(ready);
    expect(peerAddressHeaderInstalled(http)).toBe(false);
    const early = get(port, { [PEER_HEADER]: "6.6.6.6", "x-forwarded-for": "7.7.7.7" });
    await new Promise((r) => setTimeout(r, 100));
    installPeerAddressHeader(http);
    installPeerAddressHeader(http);
    open();
    expect(await early).toEqual({ peer: null, xff: "7.7.7.7" });
    expect(peerAddressHeaderInstalled(http)).toBe(true);
    // Once installed, the same server records the real peer.
    expect(await get(port, { [PEER_HEADER]: "6.6.6.6", "x-forwarded-for": "7.7.7.7" })).toEqual({ peer: "127.0.0.1", xff: "7.7.7.7" });
  });

  it("cannot be forged by the client, whatever it sends", async () => {
    const port = await server(Promise.resolve());
    expect((await get(port, { [PEER_HEADER]: "6.6.6.6" })).peer).toBe("127.0.0.1");
    expect((await get(port, { "X-Unitoken-Peer": "6.6.6.6", "x-forwarded-for": "6.6.6.6" })).peer).toBe("127.0.0.1");
    expect((await get(port, {})).peer).toBe("127.0.0.1");
    expect(peerFromHeader("6.6.6.6")).toBeNull();
    expect(peerFromHeader("0123456789abcdef0123456789abcdef 6.6.6.6")).toBeNull();
  });

  it("leaves the responses to the server's own outgoing calls alone", async () => {
    const port = await server(Promise.resolve());
    const res = await new Promise<IncomingMessage>((resolve) => request({ host: "127.0.0.1", port, path: "/" }, resolve).end());
    expect(res.headers[PEER_HEADER]).toBeUndefined();
    res.resume();
  });
});
