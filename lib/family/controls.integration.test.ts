import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { memberDaySpend } from "@/lib/db/schema";
import { addMember } from "@/lib/ledger";
import { familyOwner, NOW, person } from "@/lib/testing/family";
import { admitMember, setMemberControls, shanghaiDay } from "./controls";

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
});
