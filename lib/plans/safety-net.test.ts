import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { and, eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { bill, billLine } from "@/lib/db/schema";
import { embeddedCarrier } from "@/lib/billing/carrier";
import { cycleOf } from "@/lib/core/cycle";
import { familyOwner, NOW, person } from "@/lib/testing/family";
import { reconcileLedger } from "@/lib/ledger";
import { autoBuyPack, claimAutoPack, getSafetyNet, setSafetyNet } from "./safety-net";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

const noSms = { send: async () => {} };

describe("放心用 safety net", () => {
  it("stop is the default: nothing is bought", async () => {
    const { owner, walletId } = await familyOwner(db, { pool: 0n });
    expect(await getSafetyNet(db, { walletId, userId: owner.id })).toBeNull();
    expect(await autoBuyPack(db, { walletId, userId: owner.id, now: NOW, adapter: embeddedCarrier, sender: noSms })).toEqual({
      ok: false,
      code: "no_safety_net",
    });
  });

  it("only the wallet's payer sets it, for themselves or an active member; 1–10 packs", async () => {
    const { owner, walletId } = await familyOwner(db, { pool: 0n });
    const stranger = await person(db);
    const choice = { mode: "auto_pack" as const, packId: "p99" as const, maxPacksPerMonth: 2 };
    await expect(setSafetyNet(db, { payerUserId: stranger.id, walletId, userId: stranger.id, choice, now: NOW })).rejects.toMatchObject({ code: "not_found" });
    await expect(setSafetyNet(db, { payerUserId: owner.id, walletId, userId: stranger.id, choice, now: NOW })).rejects.toMatchObject({ code: "not_found" });
    await expect(
      setSafetyNet(db, { payerUserId: owner.id, walletId, userId: owner.id, choice: { ...choice, maxPacksPerMonth: 11 }, now: NOW }),
    ).rejects.toMatchObject({
      code: "invalid_input",
    });
    const row = await setSafetyNet(db, { payerUserId: owner.id, walletId, userId: owner.id, choice, now: NOW });
    expect(row).toMatchObject({ mode: "auto_pack", packId: "p99", maxPacksPerMonth: 2 });
    expect(await setSafetyNet(db, { payerUserId: owner.id, walletId, userId: owner.id, choice: { mode: "stop" }, now: NOW })).toMatchObject({
      mode: "stop",
      packId: null,
    });
  });

  it("each automatic pack is texted to the payer and on the bill with its number; the ceiling stops the next", async () => {
    const { owner, walletId } = await familyOwner(db, { pool: 0n });
    await setSafetyNet(db, { payerUserId: owner.id, walletId, userId: owner.id, choice: { mode: "auto_pack", packId: "p99", maxPacksPerMonth: 2 }, now: NOW });
    const texts: string[] = [];
    const sender = { send: async (m: { body: string }) => void texts.push(m.body) };
    const a = await autoBuyPack(db, { walletId, userId: owner.id, now: NOW, adapter: embeddedCarrier, sender });
    const b = await autoBuyPack(db, { walletId, userId: owner.id, now: NOW, adapter: embeddedCarrier, sender });
    const c = await autoBuyPack(db, { walletId, userId: owner.id, now: NOW, adapter: embeddedCarrier, sender });
    expect([a, b, c].map((r) => (r.ok ? r.n : r.code))).toEqual([1, 2, "ceiling_reached"]);
    expect(texts).toEqual([expect.stringContaining("本月第 1/2 次"), expect.stringContaining("本月第 2/2 次")]);
    const [b1] = await db
      .select()
      .from(bill)
      .where(and(eq(bill.userId, owner.id), eq(bill.cycle, cycleOf(NOW))));
    const lines = await db.select().from(billLine).where(eq(billLine.billId, b1!.id));
    expect(lines.map((l) => [l.description, l.amountFen])).toEqual([
      ["加油包 400万（放心用自动购买 1/2）", 990n],
      ["加油包 400万（放心用自动购买 2/2）", 990n],
    ]);
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("the ceiling counts per spender and cycle; a ceiling of 0 never claims", async () => {
    const { owner, walletId } = await familyOwner(db, { pool: 0n });
    expect(await claimAutoPack(db, { walletId, userId: owner.id, cycle: "2026-01", max: 1 })).toBe(1);
    expect(await claimAutoPack(db, { walletId, userId: owner.id, cycle: "2026-01", max: 1 })).toBeNull();
    expect(await claimAutoPack(db, { walletId, userId: owner.id, cycle: "2026-02", max: 1 })).toBe(1);
    expect(await claimAutoPack(db, { walletId, userId: owner.id, cycle: "2026-03", max: 0 })).toBeNull();
  });
});
