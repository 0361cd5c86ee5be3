import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { smsMessage } from "@/lib/db/schema";

// `next start` with no DATABASE_URL and no DEMO_MODE is not a demo: the SMS inbox (every code
// texted to anyone) and the dev routes are absent. Demo mode is only DEMO_MODE=true.

let db: Database;
let close: () => Promise<void>;
vi.mock("@/lib/server/db", () => ({ getDb: async () => db }));
vi.mock("@/lib/server/session", () => ({ getCurrentUser: async () => null }));
vi.mock("next/navigation", () => ({
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
}));
vi.mock("next-intl/server", () => ({ getTranslations: async () => (k: string) => k }));

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  await db
    .insert(smsMessage)
    .values({ phone: "13812345678", body: "【Unitoken】验证码 123456，5 分钟内有效，用于登录。", kind: "sign_in" } as typeof smsMessage.$inferInsert);
});
afterAll(() => close());
afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

const post = (path: string, body: unknown) =>
  new Request(`http://127.0.0.1:3000${path}`, {
    method: "POST",
    headers: { origin: "http://127.0.0.1:3000", host: "127.0.0.1:3000", "content-type": "application/json" },
    body: JSON.stringify(body),
  });

async function withEnv(vars: Record<string, string>) {
  vi.stubEnv("DATABASE_URL", "");
  vi.stubEnv("DEMO_MODE", "");
  vi.stubEnv("DEMO_PUBLIC", "");
  for (const [k, v] of Object.entries(vars)) vi.stubEnv(k, v);
  vi.resetModules();
  return {
    sms: (await import("./sms/page")).default,
    expire: (await import("@/app/api/dev/expire-codes/route")).POST,
    useUp: (await import("@/app/api/dev/use-up-balance/route")).POST,
  };
}

describe("dev routes outside demo mode", () => {
  // (Production without DEMO_MODE is covered by lib/env-schema.test.ts: the same demoMode flag.)
  for (const NODE_ENV of ["development", "test"]) {
    it(`are absent under NODE_ENV=${NODE_ENV} on the embedded database without DEMO_MODE`, async () => {
      const r = await withEnv({ NODE_ENV });
      await expect(r.sms()).rejects.toThrow("NEXT_NOT_FOUND");
      expect((await r.expire(post("/api/dev/expire-codes", { phone: "13812345678" }))).status).toBe(404);
      expect((await r.useUp(post("/api/dev/use-up-balance", {}))).status).toBe(404);
    });
  }

  it("are there with DEMO_MODE=true", async () => {
    const r = await withEnv({ NODE_ENV: "development", DEMO_MODE: "true" });
    // (The page renders JSX; that it gets past the check is enough here.)
    await r.sms().catch((e: Error) => expect(e.message).not.toBe("NEXT_NOT_FOUND"));
    expect((await r.expire(post("/api/dev/expire-codes", { phone: "13812345678" }))).status).toBe(200);
    expect((await r.expire(post("/api/dev/expire-codes", { phone: "13800000001" }))).status).toBe(200);
  });
});
