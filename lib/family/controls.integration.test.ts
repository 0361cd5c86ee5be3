import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { memberDaySpend } from "@/lib/db/schema";
import { addMember, reserve } from "@/lib/ledger";
import { cycleOf } from "@/lib/core/cycle";
import { expectReconciled } from "@/lib/testing/ledger";
import { familyOwner, NOW, person } from "@/lib/testing/family";
import { admitMember, approveRequest, askPayer, setMemberControls, shanghaiDay } from "./controls";
import { quietSms } from "@/lib/testing/family";

// The daily cap under real concurrency, on PostgreSQL.
let h: DbHandle;
beforeAll(async () => {
  h = await createPgTestDb({ max: 30 });
});
afterAll(async () => {
  await h?.close();
});

describe("the daily cap on real PostgreSQL", () => {
  it("60 concurrent requests of 700 against a daily cap of 10,000 admit exactly 14", async () => {
    const { owner, walletId } = await familyOwner(h.db, { pool: 10_000_000n });
    const kid = await person(h.db, "小红");
    await addMember(h.db, { walletId, userId: kid.id });
    await setMemberControls(h.db, {
      ownerUserId: owner.id,
      memberUserId: kid.id,
      controls: { allowedModels: null, economyOnly: false, dailyCapTokens: 10_000n, quiet: null },
      now: NOW,
    });
    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        admitMember(h.db, { walletId, userId: kid.id, modelId: "deepseek-chat", weights: { inMicro: 1n, outMicro: 1n }, amount: 700n, now: NOW }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(14);
    expect(results.filter((r) => !r.ok && r.code === "daily_cap_reached")).toHaveLength(46);
    const [d] = await h.db
      .select()
      .from(memberDaySpend)
      .where(and(eq(memberDaySpend.walletId, walletId), eq(memberDaySpend.userId, kid.id), eq(memberDaySpend.day, shanghaiDay(NOW))));
    expect(d!.held).toBe(9_800n);
  });

  it("a monthly cap of 10,000 plus an approved day's extra of 4,000: 60 concurrent holds of 700 admit exactly 20", async () => {
    const { owner, walletId } = await familyOwner(h.db, { pool: 10_000_000n });
    const kid = await person(h.db, "小刚");
    await addMember(h.db, { walletId, userId: kid.id, capTokens: 10_000n });
    const now = new Date();
    await setMemberControls(h.db, {
      ownerUserId: owner.id,
      memberUserId: kid.id,
      controls: { allowedModels: null, economyOnly: false, dailyCapTokens: 4_000n, quiet: null },
      now,
    });
    const asked = await askPayer(h.db, { memberUserId: kid.id, reason: "cap_reached", now, sms: quietSms(h.db) });
    expect(await approveRequest(h.db, { ownerUserId: owner.id, requestId: asked.requestId, now })).toEqual({ ok: true, extra: 4_000n });
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        reserve(h.db, { walletId, userId: kid.id, amount: 700n, idempotencyKey: `capx:${kid.id}:${i}`, cycle: cycleOf(now), now, ttlSeconds: 600 }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(20);
    expect(results.filter((r) => !r.ok && r.code === "cap_reached")).toHaveLength(40);
    await expectReconciled(h.db);
  });
});
