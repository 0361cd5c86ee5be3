import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { addMember } from "@/lib/ledger";
import { removeFamilyMember } from "@/lib/family";
import { familyOwner, person, NOW } from "@/lib/testing/family";
import { confirmGate, sharedConfirmGate, getConfirmThresholds, setMemberConfirmThreshold, setOwnConfirmThreshold } from "./confirm-threshold";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

describe("send confirmation thresholds", () => {
  it("a user's own threshold: set, read, cleared; invalid amounts refused", async () => {
    const u = await person(db);
    expect(await getConfirmThresholds(db, { userId: u.id })).toEqual({ self: null, owner: null, effective: null });
    await setOwnConfirmThreshold(db, { userId: u.id, tokens: 20_000n, now: NOW });
    expect(await getConfirmThresholds(db, { userId: u.id })).toEqual({ self: 20_000n, owner: null, effective: 20_000n });
    await expect(setOwnConfirmThreshold(db, { userId: u.id, tokens: 0n, now: NOW })).rejects.toMatchObject({ code: "invalid_threshold" });
    await setOwnConfirmThreshold(db, { userId: u.id, tokens: null, now: NOW });
    expect((await getConfirmThresholds(db, { userId: u.id })).effective).toBeNull();
  });

  it("a family owner sets one for a member; the lower applies; only that owner, only while a member", async () => {
    const { owner, walletId } = await familyOwner(db);
    const kid = await person(db, "孩子");
    const stranger = await person(db);
    await addMember(db, { walletId, userId: kid.id });
    await setOwnConfirmThreshold(db, { userId: kid.id, tokens: 50_000n, now: NOW });
    await setMemberConfirmThreshold(db, { ownerUserId: owner.id, memberUserId: kid.id, tokens: 8_000n, now: NOW });
    expect(await getConfirmThresholds(db, { userId: kid.id })).toEqual({ self: 50_000n, owner: 8_000n, effective: 8_000n });
    // The member raising their own does not lift the owner's.
    await setOwnConfirmThreshold(db, { userId: kid.id, tokens: 90_000n, now: NOW });
    expect((await getConfirmThresholds(db, { userId: kid.id })).effective).toBe(8_000n);
    // Nobody else may set it, not for a stranger either.
    await expect(setMemberConfirmThreshold(db, { ownerUserId: stranger.id, memberUserId: kid.id, tokens: 1n, now: NOW })).rejects.toMatchObject({
      code: "not_found",
    });
    await expect(setMemberConfirmThreshold(db, { ownerUserId: owner.id, memberUserId: stranger.id, tokens: 1n, now: NOW })).rejects.toMatchObject({
      code: "not_found",
    });
    // Once removed from the family, the owner's threshold no longer applies.
    await removeFamilyMember(db, { ownerUserId: owner.id, memberUserId: kid.id, now: NOW });
    expect(await getConfirmThresholds(db, { userId: kid.id })).toEqual({ self: 90_000n, owner: null, effective: 90_000n });
  });

  it("the gate refuses a hold above the threshold unless that amount was confirmed", async () => {
    const t = Promise.resolve({ self: 1000n, owner: null, effective: 1000n });
    expect(await confirmGate(t, undefined)(1000n)).toEqual({ ok: true });
    expect(await confirmGate(t, undefined)(1001n)).toEqual({ ok: false, code: "confirm_required" });
    expect(await confirmGate(t, 1001n)(1001n)).toEqual({ ok: true });
    // A confirmation of a smaller amount does not cover a larger hold.
    expect(await confirmGate(t, 1500n)(1501n)).toEqual({ ok: false, code: "confirm_required" });
    expect(await confirmGate(Promise.resolve({ self: null, owner: null, effective: null }), undefined)(10n ** 9n)).toEqual({ ok: true });
  });

  it("side by side, the columns share one gate: the total over the threshold needs the total confirmed", async () => {
    const t = Promise.resolve({ self: 1000n, owner: null, effective: 1000n });
    // Three columns of 400 each: the third would bring the total to 1,200.
    const unconfirmed = sharedConfirmGate(t, undefined);
    const outcomes = await Promise.all([unconfirmed(400n), unconfirmed(400n), unconfirmed(400n)]);
    expect(outcomes.filter((o) => o.ok)).toHaveLength(2);
    expect(outcomes.filter((o) => !o.ok)).toEqual([{ ok: false, code: "confirm_required" }]);
    // A refused column's hold is not counted: a smaller one after it still fits.
    expect(await unconfirmed(200n)).toEqual({ ok: true });
    // Confirmed for the whole total, every column goes; confirmed for less, the last one does not.
    const confirmed = sharedConfirmGate(t, 1200n);
    expect(await Promise.all([confirmed(400n), confirmed(400n), confirmed(400n)])).toEqual([{ ok: true }, { ok: true }, { ok: true }]);
    const short = sharedConfirmGate(t, 1100n);
    expect((await Promise.all([short(400n), short(400n), short(400n)])).map((o) => o.ok)).toEqual([true, true, false]);
    // Each column alone under the threshold is what the per-request gate would let through.
    expect(await confirmGate(t, undefined)(400n)).toEqual({ ok: true });
  });
});
