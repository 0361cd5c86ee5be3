import { afterEach, describe, expect, it } from "vitest";
import { createHmac, timingSafeEqual } from "node:crypto";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { httpTransport } from "./http";

const SECRET = "sms-http-secret-0123456789";

type Seen = { headers: IncomingMessage["headers"]; body: string; valid: boolean };

/** A carrier platform stand-in on 127.0.0.1 that checks each request's signature. */
async function platform(answer: (n: number, req: Seen) => number | "hang"): Promise<{ url: string; seen: Seen[]; server: Server }> {
  const seen: Seen[] = [];
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const body = Buffer.concat(chunks).toString("utf8");
      const want = Buffer.from(`sha256=${createHmac("sha256", SECRET).update(body).digest("hex")}`);
      const got = Buffer.from(String(req.headers["x-unitoken-signature"] ?? ""));
      const parsed = JSON.parse(body) as { timestamp?: string };
      const valid =
        req.method === "POST" &&
        req.headers["content-type"] === "application/json" &&
        want.length === got.length &&
        timingSafeEqual(want, got) &&
        parsed.timestamp === req.headers["x-unitoken-timestamp"] &&
        Math.abs(Date.now() / 1000 - Number(parsed.timestamp)) < 300;
      const entry = { headers: req.headers, body, valid };
      seen.push(entry);
      const status = answer(seen.length, entry);
      if (status === "hang") return;
      res.statusCode = valid ? status : 401;
      res.end("{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/sms`, seen, server };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const message = {
  id: "0b9c3d3e-4d7e-4f6a-9a57-9b2f1c0e0001",
  phone: "13800138000",
  kind: "sign_in" as const,
  body: "【Unitoken】验证码 123456",
  code: "123456",
};

describe("HTTP SMS channel", () => {
  it("posts signed JSON with a timestamp and the message id as idempotency key", async () => {
    const p = await platform(() => 200);
    await httpTransport({ url: p.url, secret: SECRET }).deliver(message);
    expect(p.seen).toHaveLength(1);
    expect(p.seen[0]!.valid).toBe(true);
    expect(p.seen[0]!.headers["idempotency-key"]).toBe(message.id);
    expect(JSON.parse(p.seen[0]!.body)).toMatchObject({
      id: message.id,
      phone: message.phone,
      kind: "sign_in",
      text: message.body,
      params: { code: "123456" },
    });
  });

  it("a platform with another secret refuses it", async () => {
    const p = await platform(() => 200);
    await expect(httpTransport({ url: p.url, secret: "another-secret-0123456789", backoffMs: [1] }).deliver(message)).rejects.toThrow(/401/);
    expect(p.seen).toHaveLength(1);
  });

  it("retries a 503 and a timeout with the same idempotency key, then succeeds", async () => {
    const p = await platform((n) => (n === 1 ? 503 : n === 2 ? "hang" : 200));
    await httpTransport({ url: p.url, secret: SECRET, timeoutMs: 300, backoffMs: [1, 1] }).deliver(message);
    expect(p.seen).toHaveLength(3);
    expect(new Set(p.seen.map((s) => s.headers["idempotency-key"]))).toEqual(new Set([message.id]));
    expect(p.seen.every((s) => s.valid)).toBe(true);
  });

  it("gives up after its attempts, and at once on a 400", async () => {
    const down = await platform(() => 500);
    await expect(httpTransport({ url: down.url, secret: SECRET, attempts: 3, backoffMs: [1] }).deliver(message)).rejects.toThrow(/500/);
    expect(down.seen).toHaveLength(3);
    const bad = await platform(() => 400);
    await expect(httpTransport({ url: bad.url, secret: SECRET, backoffMs: [1] }).deliver(message)).rejects.toThrow(/400/);
    expect(bad.seen).toHaveLength(1);
  });

  it("waits 5 s per attempt by default", async () => {
    const p = await platform(() => "hang");
    const started = Date.now();
    await expect(httpTransport({ url: p.url, secret: SECRET, attempts: 1 }).deliver(message)).rejects.toThrow(/unreachable/);
    const took = Date.now() - started;
    expect(took).toBeGreaterThanOrEqual(4_900);
    expect(took).toBeLessThan(8_000);
  });
});
