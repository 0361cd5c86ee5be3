import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { usage, user } from "@/lib/db/schema";
import { cycleOf } from "@/lib/core/cycle";
import { ensurePersonalWallet, grant, reserve, settle } from "@/lib/ledger";
import { billCsv } from "./csv";
import { listBillUsage } from "./bills";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

const NOW = new Date();

async function charged(userId: string, walletId: string, detail: { tokensCached?: number | null; tokensReasoning?: number | null }) {
  const r = await reserve(db, { walletId, userId, amount: 100n, idempotencyKey: `req:${randomUUID()}`, cycle: cycleOf(NOW), now: NOW, ttlSeconds: 600 });
  if (!r.ok) throw new Error(r.code);
  const s = await settle(db, {
    holdId: r.holdId,
    amount: 100n,
    usage: {
      requestId: randomUUID(),
      userId,
      modelId: "deepseek-chat",
      providerRoute: "deepseek",
      tokensIn: 60,
      tokensOut: 40,
      weightInMicro: 1_000_000n,
      weightOutMicro: 1_000_000n,
      usageSource: "provider",
      status: "ok",
      ...detail,
    },
  });
  return s.usageId!;
}

describe("bill usage and CSV: cached and reasoning tokens in their own columns", () => {
  it("shows what the provider reported, and nothing where it did not", async () => {
    const [u] = await db
      .insert(user)
      .values({ phone: `135${Math.floor(Math.random() * 1e8)}` })
      .returning();
    const w = await ensurePersonalWallet(db, { userId: u!.id });
    await grant(db, {
      walletId: w.id,
      kind: "trial",
      amount: 10_000n,
      expiresAt: new Date(NOW.getTime() + 86_400_000),
      source: "trial",
      idempotencyKey: `t:${u!.id}`,
    });
    const withDetail = await charged(u!.id, w.id, { tokensCached: 48, tokensReasoning: 17 });
    await charged(u!.id, w.id, {});
    const [row] = await db.select({ billId: usage.billId }).from(usage).where(eq(usage.id, withDetail));
    const page = await listBillUsage(db, { billId: row!.billId, userId: u!.id });
    expect(page!.rows.map((r) => [r.tokensCached, r.tokensReasoning])).toEqual(
      expect.arrayContaining([
        [48, 17],
        [null, null],
      ]),
    );
    const csv = (await billCsv(db, { billId: row!.billId, userId: u!.id }))!.body.split("\r\n");
    const header = csv.find((l) => l.startsWith("时间 Time"))!.split(",");
    expect(header.slice(2, 6)).toEqual(["输入 tokens In", "其中缓存 tokens Cached", "输出 tokens Out", "其中推理 tokens Reasoning"]);
    const lines = csv.filter((l) => l.includes("deepseek-chat")).map((l) => l.split(",").slice(2, 7));
    expect(lines.sort()).toEqual([
      ["60", "", "40", "", "100"],
      ["60", "48", "40", "17", "100"],
    ]);
  });
});
