import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { smsMessage } from "@/lib/db/schema";
import { parseEnv } from "./env-schema";
import { smsSenderFromEnv } from "./sms-sender";

let db: Database;
let close: () => Promise<void>;
beforeEach(async () => {
  ({ db, close } = await createTestDb());
});
afterEach(async () => close());

let server: Server;
const received: { headers: Record<string, unknown>; body: string }[] = [];
beforeAll(async () => {
  server = createServer((req, res) => {
    let body = "";
    req.on("data", (c) => (body += c));
    req.on("end", () => {
      received.push({ headers: req.headers, body });
      res.setHeader("content-type", "application/json");
      res.end(req.headers["x-acs-action"] ? JSON.stringify({ Code: "OK", RequestId: "r" }) : "{}");
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
});
const base = () => `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const text = { phone: "13800138000", kind: "sign_in" as const, body: "【Unitoken】验证码 482913", code: "482913" };

describe("the SMS sender the app uses", () => {
  it("SMS_SENDER=http posts to SMS_HTTP_URL and records the text with the code masked", async () => {
    received.length = 0;
    const env = parseEnv({ DATABASE_URL: "postgres://u@db/app", SMS_SENDER: "http", SMS_HTTP_URL: `${base()}/sms`, SMS_HTTP_SECRET: "0123456789abcdef" });
    await smsSenderFromEnv(env, db).send(text);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["x-unitoken-signature"]).toMatch(/^sha256=[0-9a-f]{64}$/);
    const [row] = await db.select().from(smsMessage);
    expect(row!.body).not.toContain("482913");
    expect(received[0]!.headers["idempotency-key"]).toBe(row!.id);
  });

  it("SMS_SENDER=aliyun calls the SMS API at ALIYUN_SMS_ENDPOINT", async () => {
    received.length = 0;
    const env = parseEnv({
      DATABASE_URL: "postgres://u@db/app",
      SMS_SENDER: "aliyun",
      ALIYUN_SMS_ACCESS_KEY_ID: "id",
      ALIYUN_SMS_ACCESS_KEY_SECRET: "secret",
      ALIYUN_SMS_SIGN_NAME: "优尼令牌",
      ALIYUN_SMS_TEMPLATE_SIGN_IN: "SMS_1",
      ALIYUN_SMS_TEMPLATE_PURCHASE: "SMS_2",
      ALIYUN_SMS_ENDPOINT: base(),
    });
    await smsSenderFromEnv(env, db).send(text);
    expect(received).toHaveLength(1);
    expect(received[0]!.headers["x-acs-action"]).toBe("SendSms");
  });

  it("SMS_SENDER=console logs: the code only in demo mode", async () => {
    const lines: string[] = [];
    await smsSenderFromEnv(parseEnv({ DATABASE_URL: "postgres://u@db/app" }), db, { log: (l) => lines.push(l) }).send(text);
    await smsSenderFromEnv(parseEnv({ DEMO_MODE: "true" }), db, { log: (l) => lines.push(l) }).send(text);
    expect(lines[0]).not.toContain("482913");
    expect(lines[1]).toContain("482913");
  });

  it("is chosen in one place: no app code builds a sender itself", () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const name of readdirSync(dir)) {
        const p = path.join(dir, name);
        if (statSync(p).isDirectory()) walk(p);
        else if (
          /\.(ts|tsx)$/.test(name) &&
          !/\.test\.tsx?$/.test(name) &&
          /consoleSender|httpTransport|aliyunTransport|recordingSender/.test(readFileSync(p, "utf8"))
        )
          offenders.push(p);
      }
    };
    for (const dir of ["app", "pages"]) walk(path.join(process.cwd(), dir));
    expect(offenders).toEqual([]);
  });
});
