import { afterEach, describe, expect, it } from "vitest";
import { createServer, type IncomingMessage, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { aliyunTransport, parseAliyunEndpoint } from "./aliyun";

type Seen = { method?: string; url?: string; headers: IncomingMessage["headers"]; params: Record<string, string> };

/** Alibaba Cloud's SMS API stand-in on 127.0.0.1: records what the official SDK sends. */
async function smsApi(answer: (seen: Seen) => Record<string, string>): Promise<{ endpoint: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const url = new URL(req.url ?? "/", "http://x");
      const params: Record<string, string> = Object.fromEntries(url.searchParams);
      for (const [k, v] of new URLSearchParams(Buffer.concat(chunks).toString("utf8"))) params[k] = v;
      const s = { method: req.method, url: req.url, headers: req.headers, params };
      seen.push(s);
      res.setHeader("content-type", "application/json");
      res.end(JSON.stringify(answer(s)));
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  servers.push(server);
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) {
    s.closeAllConnections();
    await new Promise((r) => s.close(r));
  }
});

const opts = (endpoint: string) => ({
  accessKeyId: "LTAI-test-key-id",
  accessKeySecret: "test-key-secret",
  signName: "优尼令牌",
  templates: { sign_in: "SMS_100000001", purchase: "SMS_100000002" },
  endpoint,
});

describe("Aliyun SMS channel", () => {
  it("calls SendSms with the sign name, the kind's template, the code as template parameter and the message id as OutId", async () => {
    const api = await smsApi(() => ({ Code: "OK", Message: "OK", BizId: "biz-1", RequestId: "req-1" }));
    await aliyunTransport(opts(api.endpoint)).deliver({ id: "msg-1", phone: "13800138000", kind: "sign_in", body: "验证码 123456", code: "123456" });
    expect(api.seen).toHaveLength(1);
    const s = api.seen[0]!;
    expect(s.method).toBe("POST");
    expect(s.headers["x-acs-action"]).toBe("SendSms");
    expect(s.headers["x-acs-version"]).toBe("2017-05-25");
    expect(String(s.headers.authorization)).toMatch(/^ACS3-HMAC-SHA256 Credential=LTAI-test-key-id,SignedHeaders=.+,Signature=[0-9a-f]{64}$/);
    expect(s.params).toMatchObject({ PhoneNumbers: "13800138000", SignName: "优尼令牌", TemplateCode: "SMS_100000001", OutId: "msg-1" });
    expect(JSON.parse(s.params.TemplateParam!)).toEqual({ code: "123456" });
    // The text itself never leaves: the approved template is the text.
    expect(JSON.stringify(s.params)).not.toContain("验证码");
  });

  it("fails when the API refuses, and for a kind without a template", async () => {
    const api = await smsApi(() => ({ Code: "isv.BUSINESS_LIMIT_CONTROL", Message: "触发天级流控", RequestId: "req-2" }));
    const t = aliyunTransport(opts(api.endpoint));
    await expect(t.deliver({ id: "msg-2", phone: "13800138000", kind: "purchase", body: "x 654321", code: "654321" })).rejects.toThrow(
      /isv\.BUSINESS_LIMIT_CONTROL/,
    );
    await expect(t.deliver({ id: "msg-3", phone: "13800138000", kind: "invite", body: "join" })).rejects.toThrow(/no Aliyun SMS template for invite/);
    expect(api.seen).toHaveLength(1);
  });

  it("reads an endpoint as host or URL", () => {
    expect(parseAliyunEndpoint(undefined)).toEqual({ endpoint: "dysmsapi.aliyuncs.com", protocol: "https" });
    expect(parseAliyunEndpoint("dysmsapi.ap-southeast-1.aliyuncs.com")).toEqual({ endpoint: "dysmsapi.ap-southeast-1.aliyuncs.com", protocol: "https" });
    expect(parseAliyunEndpoint("http://127.0.0.1:8080")).toEqual({ endpoint: "127.0.0.1:8080", protocol: "http" });
  });
});
