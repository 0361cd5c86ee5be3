import { and, desc, eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { queryRows, sql } from "@/lib/db/sql";
import { familyControl, familyRequest, memberDaySpend, user, wallet, walletMember, type FamilyControl, type FamilyRequest } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import type { SmsSender } from "@/lib/sms";
import { cycleOf } from "@/lib/core/cycle";

/**
 * "Economical models only": a model whose input and output weights (plan tokens per token,
 * × 1,000,000) add up to at most 3 plan tokens per token together. Stated once, here.
 */
export const ECONOMY_MAX_WEIGHT_MICRO = 3_000_000n;
/** One day's extra allowance the payer approves when the member has no daily cap of their own. */
export const DEFAULT_DAY_EXTRA = 200_000n;

export function isEconomical(weights: { inMicro: bigint; outMicro: bigint }): boolean {
  return weights.inMicro + weights.outMicro <= ECONOMY_MAX_WEIGHT_MICRO;
}

const SHANGHAI_MS = 8 * 3_600_000;

/** "YYYY-MM-DD" of the Asia/Shanghai day that contains `at`. */
export function shanghaiDay(at: Date): string {
  return new Date(at.getTime() + SHANGHAI_MS).toISOString().slice(0, 10);
}

/** Minutes after midnight in Asia/Shanghai. */
export function shanghaiMinute(at: Date): number {
  const l = new Date(at.getTime() + SHANGHAI_MS);
  return l.getUTCHours() * 60 + l.getUTCMinutes();
}

/**
 * Quiet hours from `start` (inclusive) to `end` (exclusive), minutes after midnight in
 * Asia/Shanghai; a start after the end wraps past midnight (22:00–07:00).
 */
export function inQuietHours(at: Date, start: number, end: number): boolean {
  const m = shanghaiMinute(at);
  return start < end ? m >= start && m < end : m >= start || m < end;
}

export type MemberControls = {
  allowedModels: string[] | null;
  economyOnly: boolean;
  dailyCapTokens: bigint | null;
  quiet: { startMin: number; endMin: number } | null;
};

export async function getMemberControls(db: Database, { walletId, userId }: { walletId: string; userId: string }): Promise<FamilyControl | null> {
  const [r] = await db
    .select()
    .from(familyControl)
    .where(and(eq(familyControl.walletId, walletId), eq(familyControl.userId, userId)));
  return r ?? null;
}

async function ownedFamilyWallet(db: Database, ownerUserId: string): Promise<string> {
  const [w] = await db
    .select({ id: wallet.id })
    .from(wallet)
    .where(and(eq(wallet.ownerUserId, ownerUserId), eq(wallet.kind, "family")));
  if (!w) throw new DomainError("not_owner", "no family wallet");
  return w.id;
}

async function activeMember(db: Database, walletId: string, userId: string) {
  const [m] = await db
    .select({ role: walletMember.role, status: walletMember.status })
    .from(walletMember)
    .where(and(eq(walletMember.walletId, walletId), eq(walletMember.userId, userId)));
  return m && m.status === "active" ? m : null;
}

/** The payer sets a member's controls on their family wallet. */
export async function setMemberControls(
  db: Database,
  { ownerUserId, memberUserId, controls, now }: { ownerUserId: string; memberUserId: string; controls: MemberControls; now: Date },
): Promise<FamilyControl> {
  const walletId = await ownedFamilyWallet(db, ownerUserId);
  const m = await activeMember(db, walletId, memberUserId);
  if (!m || m.role !== "member") throw new DomainError("not_member", "no such member");
  if (controls.dailyCapTokens !== null && controls.dailyCapTokens < 0n) throw new DomainError("invalid_input", "negative daily cap");
  const q = controls.quiet;
  if (q && (q.startMin === q.endMin || [q.startMin, q.endMin].some((x) => !Number.isInteger(x) || x < 0 || x > 1439)))
    throw new DomainError("invalid_input", "quiet hours");
  const values = {
    walletId,
    userId: memberUserId,
    allowedModels: controls.allowedModels && controls.allowedModels.length ? [...new Set(controls.allowedModels)] : null,
    economyOnly: controls.economyOnly,
    dailyCapTokens: controls.dailyCapTokens,
    quietStartMin: q?.startMin ?? null,
    quietEndMin: q?.endMin ?? null,
    updatedAt: now,
  };
  const [row] = await db
    .insert(familyControl)
    .values(values)
    .onConflictDoUpdate({ target: [familyControl.walletId, familyControl.userId], set: values })
    .returning();
  return row!;
}

export type ControlRefusal = "quiet_hours" | "model_not_allowed" | "economy_only" | "daily_cap_reached";
export type DayClaim = { walletId: string; userId: string; day: string; amount: bigint };
export type Admission = { ok: true; claim: DayClaim | null } | { ok: false; code: ControlRefusal; details?: Record<string, unknown> };

/**
 * Checked before every hold of a family member (chat and /api/v1 alike, in lib/completion):
 * quiet hours, the model allowlist or economical-only rule, and the daily cap. The daily cap is
 * claimed in one conditional statement (the day's counter grows only while used + held + amount
 * stays within the cap plus what the payer approved), so concurrent requests cannot pass it.
 * The owner, and members without controls, pass untouched.
 */
export async function admitMember(
  db: Database,
  o: { walletId: string; userId: string; modelId: string; weights: { inMicro: bigint; outMicro: bigint }; amount: bigint; now: Date },
): Promise<Admission> {
  const c = await getMemberControls(db, { walletId: o.walletId, userId: o.userId });
  if (!c) return { ok: true, claim: null };
  const m = await activeMember(db, o.walletId, o.userId);
  if (!m || m.role !== "member") return { ok: true, claim: null };
  const day = shanghaiDay(o.now);
  const [d] = await db
    .select()
    .from(memberDaySpend)
    .where(and(eq(memberDaySpend.walletId, o.walletId), eq(memberDaySpend.userId, o.userId), eq(memberDaySpend.day, day)));
  if (c.quietStartMin !== null && c.quietEndMin !== null && inQuietHours(o.now, c.quietStartMin, c.quietEndMin) && !d?.quietLifted)
    return { ok: false, code: "quiet_hours", details: { start: c.quietStartMin, end: c.quietEndMin } };
  if (!d?.modelsLifted) {
    if (c.allowedModels && !c.allowedModels.includes(o.modelId)) return { ok: false, code: "model_not_allowed" };
    if (c.economyOnly && !isEconomical(o.weights)) return { ok: false, code: "economy_only" };
  }
  if (c.dailyCapTokens === null) return { ok: true, claim: null };
  const cap = c.dailyCapTokens.toString();
  const amount = o.amount.toString();
  const rows = await queryRows<{ held: string }>(
    db,
    sql`insert into member_day_spend (wallet_id, user_id, day, held)
        select ${o.walletId}::uuid, ${o.userId}::uuid, ${day}, ${amount}::bigint
        where ${amount}::bigint <= ${cap}::bigint
        on conflict (wallet_id, user_id, day) do update set held = member_day_spend.held + excluded.held
        where member_day_spend.used + member_day_spend.held + excluded.held <= ${cap}::bigint + member_day_spend.extra
        returning held::text`,
  );
  if (rows.length === 0) {
    // A first request bigger than the cap alone may still fit what the payer approved today.
    if (d && o.amount > c.dailyCapTokens) {
      const again = await queryRows<{ held: string }>(
        db,
        sql`update member_day_spend set held = held + ${amount}::bigint
            where wallet_id = ${o.walletId}::uuid and user_id = ${o.userId}::uuid and day = ${day}
              and used + held + ${amount}::bigint <= ${cap}::bigint + extra
            returning held::text`,
      );
      if (again.length === 1) return { ok: true, claim: { walletId: o.walletId, userId: o.userId, day, amount: o.amount } };
    }
    return { ok: false, code: "daily_cap_reached", details: { dailyCap: cap } };
  }
  return { ok: true, claim: { walletId: o.walletId, userId: o.userId, day, amount: o.amount } };
}

/** Turns a day claim into what was charged (0 when the request was refused or released). */
export async function settleDayClaim(db: Database, claim: DayClaim, charged: bigint): Promise<void> {
  const used = charged < claim.amount ? charged : claim.amount;
  await queryRows(
    db,
    sql`update member_day_spend set held = greatest(held - ${claim.amount.toString()}::bigint, 0), used = used + ${used.toString()}::bigint
        where wallet_id = ${claim.walletId}::uuid and user_id = ${claim.userId}::uuid and day = ${claim.day}`,
  );
}

const reasonText: Record<string, string> = {
  quiet_hours: "免打扰时段",
  daily_cap_reached: "今日额度已用完",
  model_not_allowed: "模型不在允许范围",
  economy_only: "仅限经济模型",
  cap_reached: "本月额度上限已用完",
};

/**
 * 问户主: a refused member asks the payer. One open request per member and day (asking again
 * texts nobody); the payer is told in the app (the family page) and by SMS. The text names the
 * member and the reason only — never what they were asking the model.
 */
export async function askPayer(
  db: Database,
  { memberUserId, reason, now, sms, appUrl = "" }: { memberUserId: string; reason: string; now: Date; sms: SmsSender; appUrl?: string },
): Promise<{ ok: true; requestId: string; alreadyAsked: boolean }> {
  const [m] = await db
    .select({ walletId: walletMember.walletId, ownerUserId: wallet.ownerUserId })
    .from(walletMember)
    .innerJoin(wallet, eq(wallet.id, walletMember.walletId))
    .where(and(eq(walletMember.userId, memberUserId), eq(walletMember.role, "member"), eq(walletMember.status, "active"), eq(wallet.kind, "family")));
  if (!m) throw new DomainError("not_member", "not in a family");
  const day = shanghaiDay(now);
  const inserted = await db
    .insert(familyRequest)
    .values({ walletId: m.walletId, memberUserId, reason: reasonText[reason] ? reason : "other", day, createdAt: now })
    .onConflictDoNothing()
    .returning({ id: familyRequest.id });
  if (inserted.length === 0) {
    const [open] = await db
      .select({ id: familyRequest.id })
      .from(familyRequest)
      .where(
        and(
          eq(familyRequest.walletId, m.walletId),
          eq(familyRequest.memberUserId, memberUserId),
          eq(familyRequest.day, day),
          eq(familyRequest.status, "pending"),
        ),
      );
    return { ok: true, requestId: open!.id, alreadyAsked: true };
  }
  const [owner] = await db.select({ phone: user.phone }).from(user).where(eq(user.id, m.ownerUserId));
  const [member] = await db.select({ name: user.name, phone: user.phone }).from(user).where(eq(user.id, memberUserId));
  const who = member?.name ?? `尾号 ${member?.phone.slice(-4)} `;
  if (owner)
    await sms.send({
      phone: owner.phone,
      kind: "notice",
      body: `【Unitoken】家庭成员${who}请求放行（${reasonText[reason] ?? "被拒绝"}）。打开“家庭”页可一键批准今天的额外额度：${appUrl}/family`,
    });
  return { ok: true, requestId: inserted[0]!.id, alreadyAsked: false };
}

export type PendingRequest = { id: string; memberUserId: string; memberName: string | null; memberPhone: string; reason: string; day: string; createdAt: Date };

/** The payer's open requests, newest first (reason and time only). */
export async function listPendingRequests(db: Database, { ownerUserId }: { ownerUserId: string }): Promise<PendingRequest[]> {
  const rows = await db
    .select({ r: familyRequest, name: user.name, phone: user.phone })
    .from(familyRequest)
    .innerJoin(wallet, eq(wallet.id, familyRequest.walletId))
    .innerJoin(user, eq(user.id, familyRequest.memberUserId))
    .where(and(eq(wallet.ownerUserId, ownerUserId), eq(familyRequest.status, "pending")))
    .orderBy(desc(familyRequest.createdAt));
  return rows.map(({ r, name, phone }) => ({
    id: r.id,
    memberUserId: r.memberUserId,
    memberName: name,
    memberPhone: phone,
    reason: r.reason,
    day: r.day,
    createdAt: r.createdAt,
  }));
}

/**
 * One tap: the payer approves a member's request for that day — quiet hours and the model rules
 * lifted, and one day's extra allowance (the member's daily cap, else DEFAULT_DAY_EXTRA) on top
 * of the daily cap. When the member was refused by the monthly cap, the same day's extra is added
 * on top of this cycle's cap (member_spend.cap_extra, read by ledger_reserve under the wallet
 * lock): the payer's pool pays for it, nothing is granted. Only the payer of the request's
 * wallet; a request resolves once.
 */
export async function approveRequest(
  db: Database,
  { ownerUserId, requestId, now }: { ownerUserId: string; requestId: string; now: Date },
): Promise<{ ok: true; extra: bigint } | { ok: false; code: "not_found" | "already_answered" }> {
  const [r] = await db
    .select({ req: familyRequest, ownerUserId: wallet.ownerUserId })
    .from(familyRequest)
    .innerJoin(wallet, eq(wallet.id, familyRequest.walletId))
    .where(eq(familyRequest.id, requestId));
  if (!r || r.ownerUserId !== ownerUserId) return { ok: false, code: "not_found" };
  const done = await db
    .update(familyRequest)
    .set({ status: "approved", respondedAt: now })
    .where(and(eq(familyRequest.id, requestId), eq(familyRequest.status, "pending")))
    .returning({ id: familyRequest.id });
  if (done.length === 0) return { ok: false, code: "already_answered" };
  const req: FamilyRequest = r.req;
  const c = await getMemberControls(db, { walletId: req.walletId, userId: req.memberUserId });
  const extra = c?.dailyCapTokens && c.dailyCapTokens > 0n ? c.dailyCapTokens : DEFAULT_DAY_EXTRA;
  await queryRows(
    db,
    sql`insert into member_day_spend (wallet_id, user_id, day, extra, quiet_lifted, models_lifted)
        values (${req.walletId}::uuid, ${req.memberUserId}::uuid, ${req.day}, ${extra.toString()}::bigint, true, true)
        on conflict (wallet_id, user_id, day) do update set extra = member_day_spend.extra + excluded.extra, quiet_lifted = true, models_lifted = true`,
  );
  if (req.reason === "cap_reached")
    await queryRows(
      db,
      sql`insert into member_spend (wallet_id, user_id, cycle, cap_extra)
          values (${req.walletId}::uuid, ${req.memberUserId}::uuid, ${cycleOf(now)}, ${extra.toString()}::bigint)
          on conflict (wallet_id, user_id, cycle) do update set cap_extra = member_spend.cap_extra + excluded.cap_extra`,
    );
  return { ok: true, extra };
}

/**
 * The pipeline's member gate (lib/completion's `memberGate`): admits or refuses, and hands back
 * the settle that books what the request finally charged on the day's counter.
 */
export async function gateMember(
  db: Database,
  p: { walletId: string; userId: string; modelId: string; weights: { inMicro: bigint; outMicro: bigint }; amount: bigint; now: Date },
): Promise<{ ok: true; settle(charged: bigint): Promise<void> } | { ok: false; code: ControlRefusal; details?: Record<string, unknown> }> {
  const a = await admitMember(db, p);
  if (!a.ok) return a;
  const claim = a.claim;
  return { ok: true, settle: async (charged) => (claim ? settleDayClaim(db, claim, charged) : undefined) };
}

/** What keeps a member from chatting right now, for their family page (and the button to ask). */
export async function memberBlockNow(
  db: Database,
  { walletId, userId, now }: { walletId: string; userId: string; now: Date },
): Promise<{ reason: "quiet_hours" | "daily_cap_reached" | null; controls: FamilyControl | null }> {
  const c = await getMemberControls(db, { walletId, userId });
  if (!c) return { reason: null, controls: null };
  const [d] = await db
    .select()
    .from(memberDaySpend)
    .where(and(eq(memberDaySpend.walletId, walletId), eq(memberDaySpend.userId, userId), eq(memberDaySpend.day, shanghaiDay(now))));
  if (c.quietStartMin !== null && c.quietEndMin !== null && inQuietHours(now, c.quietStartMin, c.quietEndMin) && !d?.quietLifted)
    return { reason: "quiet_hours", controls: c };
  if (c.dailyCapTokens !== null && d && d.used + d.held >= c.dailyCapTokens + d.extra) return { reason: "daily_cap_reached", controls: c };
  return { reason: null, controls: c };
}
