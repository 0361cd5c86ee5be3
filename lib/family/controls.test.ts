import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { familyRequest, memberDaySpend, smsMessage } from "@/lib/db/schema";
import { addMember, getMemberSpend, release, reserve } from "@/lib/ledger";
import { cycleOf } from "@/lib/core/cycle";
import { familyOwner, person, quietSms } from "@/lib/testing/family";
import { expectReconciled } from "@/lib/testing/ledger";
import { admitMember, approveRequest, askPayer, inQuietHours, listPendingRequests, setMemberControls, settleDayClaim, shanghaiDay } from "./controls";

const sh = (s: string) => new Date(`${s}+08:00`);
const cheap = { inMicro: 1_000_000n, outMicro: 2_000_000n };
const dear = { inMicro: 2_500_000n, outMicro: 10_000_000n };

describe("quiet hours in Asia/Shanghai, at the boundary", () => {
  it("22:00–07:00 wraps past midnight: start counts, end does not", () => {
    const q = (s: string) => inQuietHours(sh(s), 22 * 60, 7 * 60);
    expect(q("2026-12-01T21:59:59")).toBe(false);
    expect(q("2026-12-01T22:00:00")).toBe(true);
    expect(q("2026-12-02T00:00:00")).toBe(true);
    expect(q("2026-12-02T06:59:59")).toBe(true);
    expect(q("2026-12-02T07:00:00")).toBe(false);
  });
  it("reads China time, not UTC: 14:00 UTC is 22:00 in Shanghai", () => {
    expect(inQuietHours(new Date("2026-12-01T14:00:00Z"), 22 * 60, 7 * 60)).toBe(true);
    expect(inQuietHours(new Date("2026-12-01T13:59:00Z"), 22 * 60, 7 * 60)).toBe(false);
    expect(shanghaiDay(new Date("2026-12-01T16:00:00Z"))).toBe("2026-12-02");
  });
  it("a daytime window does not wrap", () => {
    expect(inQuietHours(sh("2026-12-01T12:30:00"), 12 * 60, 14 * 60)).toBe(true);
    expect(inQuietHours(sh("2026-12-01T14:00:00"), 12 * 60, 14 * 60)).toBe(false);
  });
});

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

async function family() {
  const { owner, walletId } = await familyOwner(db, { pool: 10_000_000n });
  const kid = await person(db, "小明");
  await addMember(db, { walletId, userId: kid.id });
  return { owner, walletId, kid };
}
const noQuiet = { allowedModels: null, economyOnly: false, dailyCapTokens: null, quiet: null };

describe("family controls in the reserve path", () => {
  it("only the payer sets them, only for an active member", async () => {
    const { owner, kid } = await family();
    const other = await person(db);
    await expect(setMemberControls(db, { ownerUserId: kid.id, memberUserId: owner.id, controls: noQuiet, now: new Date() })).rejects.toMatchObject({
      code: "not_owner",
    });
    await expect(setMemberControls(db, { ownerUserId: owner.id, memberUserId: other.id, controls: noQuiet, now: new Date() })).rejects.toMatchObject({
      code: "not_member",
    });
  });

  it("allowlist, economical only and quiet hours refuse the member; the owner is never held back", async () => {
    const { owner, walletId, kid } = await family();
    const now = sh("2026-12-01T23:00:00");
    const base = { walletId, userId: kid.id, amount: 1000n, now: sh("2026-12-01T12:00:00") };
    await setMemberControls(db, { ownerUserId: owner.id, memberUserId: kid.id, controls: { ...noQuiet, allowedModels: ["deepseek-chat"] }, now });
    expect(await admitMember(db, { ...base, modelId: "gpt-4o", weights: cheap })).toMatchObject({ ok: false, code: "model_not_allowed" });
    expect(await admitMember(db, { ...base, modelId: "deepseek-chat", weights: cheap })).toMatchObject({ ok: true });
    await setMemberControls(db, { ownerUserId: owner.id, memberUserId: kid.id, controls: { ...noQuiet, economyOnly: true }, now });
    expect(await admitMember(db, { ...base, modelId: "gpt-4o", weights: dear })).toMatchObject({ ok: false, code: "economy_only" });
    expect(await admitMember(db, { ...base, modelId: "deepseek-chat", weights: cheap })).toMatchObject({ ok: true });
    await setMemberControls(db, { ownerUserId: owner.id, memberUserId: kid.id, controls: { ...noQuiet, quiet: { startMin: 22 * 60, endMin: 7 * 60 } }, now });
    expect(await admitMember(db, { ...base, now, modelId: "deepseek-chat", weights: cheap })).toMatchObject({ ok: false, code: "quiet_hours" });
    expect(await admitMember(db, { ...base, walletId, userId: owner.id, now, modelId: "gpt-4o", weights: dear })).toEqual({ ok: true, claim: null });
  });

  it("the daily cap counts held and used per Shanghai day", async () => {
    const { owner, walletId, kid } = await family();
    const now = sh("2026-12-03T10:00:00");
    await setMemberControls(db, { ownerUserId: owner.id, memberUserId: kid.id, controls: { ...noQuiet, dailyCapTokens: 5000n }, now });
    const a = await admitMember(db, { walletId, userId: kid.id, modelId: "m", weights: cheap, amount: 4000n, now });
    expect(a.ok).toBe(true);
    expect(await admitMember(db, { walletId, userId: kid.id, modelId: "m", weights: cheap, amount: 2000n, now })).toMatchObject({
      ok: false,
      code: "daily_cap_reached",
    });
    if (a.ok && a.claim) await settleDayClaim(db, a.claim, 1500n); // the hold of 4000 charged 1500
    expect(await admitMember(db, { walletId, userId: kid.id, modelId: "m", weights: cheap, amount: 3500n, now })).toMatchObject({ ok: true });
    // Tomorrow (China time) starts afresh.
    expect(await admitMember(db, { walletId, userId: kid.id, modelId: "m", weights: cheap, amount: 5000n, now: sh("2026-12-04T00:00:00") })).toMatchObject({
      ok: true,
    });
    const [d] = await db.select().from(memberDaySpend).where(eq(memberDaySpend.day, "2026-12-03"));
    expect(d).toMatchObject({ used: 1500n, held: 3500n });
  });

  it("问户主: a refused member asks; the payer gets it in the app and by SMS (reason only), approves one day with one tap", async () => {
    const { owner, walletId, kid } = await family();
    const night = sh("2026-12-05T22:30:00");
    await setMemberControls(db, {
      ownerUserId: owner.id,
      memberUserId: kid.id,
      controls: { ...noQuiet, quiet: { startMin: 22 * 60, endMin: 7 * 60 }, dailyCapTokens: 3000n },
      now: night,
    });
    const try1 = { walletId, userId: kid.id, modelId: "deepseek-chat", weights: cheap, amount: 1000n, now: night };
    expect(await admitMember(db, try1)).toMatchObject({ ok: false, code: "quiet_hours" });
    const asked = await askPayer(db, { memberUserId: kid.id, reason: "quiet_hours", now: night, sms: quietSms(db), appUrl: "https://u.example" });
    expect(asked.alreadyAsked).toBe(false);
    expect((await askPayer(db, { memberUserId: kid.id, reason: "quiet_hours", now: night, sms: quietSms(db) })).alreadyAsked).toBe(true);
    const texts = await db.select().from(smsMessage).where(eq(smsMessage.phone, owner.phone));
    expect(texts.map((t) => t.body)).toEqual([
      "【Unitoken】家庭成员小明请求放行（免打扰时段）。打开“家庭”页可一键批准今天的额外额度：https://u.example/family",
    ]);
    const pending = await listPendingRequests(db, { ownerUserId: owner.id });
    expect(pending.map((p) => [p.memberName, p.reason, p.day])).toEqual([["小明", "quiet_hours", "2026-12-05"]]);
    expect(Object.keys(pending[0]!).sort()).toEqual(["createdAt", "day", "id", "memberName", "memberPhone", "memberUserId", "reason"]); // no conversation, no prompt
    expect(await approveRequest(db, { ownerUserId: kid.id, requestId: asked.requestId, now: night })).toEqual({ ok: false, code: "not_found" });
    expect(await approveRequest(db, { ownerUserId: owner.id, requestId: asked.requestId, now: night })).toEqual({ ok: true, extra: 3000n });
    expect(await approveRequest(db, { ownerUserId: owner.id, requestId: asked.requestId, now: night })).toEqual({ ok: false, code: "already_answered" });
    // Tonight passes, with the day's cap doubled; tomorrow night the quiet hours hold again.
    expect(await admitMember(db, { ...try1, amount: 5500n })).toMatchObject({ ok: true });
    expect(await admitMember(db, { ...try1, now: sh("2026-12-06T22:30:00") })).toMatchObject({ ok: false, code: "quiet_hours" });
    expect((await db.select().from(familyRequest).where(eq(familyRequest.id, asked.requestId)))[0]!.status).toBe("approved");
  });

  it("approving a monthly-cap refusal adds one day's extra on top of this cycle's cap (the ledger's reserve honours it); an allowlist refusal lifts the model rules for that day", async () => {
    const { owner, walletId } = await familyOwner(db, { pool: 10_000_000n });
    const kid = await person(db, "小红");
    await addMember(db, { walletId, userId: kid.id, capTokens: 1000n });
    const now = new Date();
    const cycle = cycleOf(now);
    await setMemberControls(db, {
      ownerUserId: owner.id,
      memberUserId: kid.id,
      controls: { ...noQuiet, allowedModels: ["deepseek-chat"], dailyCapTokens: 400n },
      now,
    });
    const hold = (amount: bigint, key: string) =>
      reserve(db, { walletId, userId: kid.id, amount, idempotencyKey: key, cycle, now, ttlSeconds: 60, batch: false });
    const first = await hold(900n, `cap-a-${kid.id}`);
    expect(first.ok).toBe(true);
    expect(await hold(200n, `cap-b-${kid.id}`)).toMatchObject({ ok: false, code: "cap_reached" });
    const asked = await askPayer(db, { memberUserId: kid.id, reason: "cap_reached", now, sms: quietSms(db) });
    expect(await approveRequest(db, { ownerUserId: owner.id, requestId: asked.requestId, now })).toEqual({ ok: true, extra: 400n });
    // Cap 1000 + 400 approved: 500 more fit, 501 would not.
    expect(await hold(501n, `cap-c-${kid.id}`)).toMatchObject({ ok: false, code: "cap_reached" });
    const second = await hold(500n, `cap-d-${kid.id}`);
    expect(second.ok).toBe(true);
    expect(await getMemberSpend(db, { walletId, userId: kid.id, cycle })).toMatchObject({ held: 1400n, capExtra: 400n, capLeft: 0n });
    // The same approval let other models through for the day.
    expect(await admitMember(db, { walletId, userId: kid.id, modelId: "gpt-4o", weights: dear, amount: 10n, now })).toMatchObject({ ok: true });
    if (first.ok) await release(db, { holdId: first.holdId });
    if (second.ok) await release(db, { holdId: second.holdId });
    await expectReconciled(db);
  });
});
