import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { auditLog, disputeTicket, usage, user } from "@/lib/db/schema";
import { getBalance, reconcileLedger } from "@/lib/ledger";
import { listBillUsage } from "@/lib/billing/bills";
import { meteredRequest } from "@/lib/testing/ledger";
import { person } from "@/lib/testing/family";
import { ensurePersonalWallet, grant } from "@/lib/ledger";
import { answerDispute, getDisputeForUsage, listDisputeQueue, openDispute } from "./disputes";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

const NOW = new Date();
const key = () => `k-${randomUUID()}`;

async function customerWithUsage() {
  const c = await person(db, "顾客");
  const w = await ensurePersonalWallet(db, { userId: c.id });
  await grant(db, {
    walletId: w.id,
    kind: "trial",
    amount: 1_000_000n,
    expiresAt: new Date(NOW.getTime() + 86_400_000),
    source: "trial",
    idempotencyKey: key(),
  });
  const u = await meteredRequest(db, { walletId: w.id, userId: c.id, amount: 500n, modelId: "deepseek-chat", now: NOW });
  if (!u.ok || !u.usageId) throw new Error("no usage");
  return { userId: c.id, walletId: w.id, usageId: u.usageId };
}

async function staff() {
  const s = await person(db, "客服");
  await db.update(user).set({ role: "support" }).where(eq(user.id, s.id));
  return s.id;
}

describe("disputes", () => {
  it("only the usage row's own user opens one; one open ticket per row", async () => {
    const c = await customerWithUsage();
    const other = await person(db);
    await expect(openDispute(db, { userId: other.id, usageId: c.usageId, note: "", now: NOW })).rejects.toMatchObject({ code: "usage_not_found" });
    const t = await openDispute(db, { userId: c.userId, usageId: c.usageId, note: "回复只有一半", now: NOW });
    expect(t).toMatchObject({ status: "open", usageId: c.usageId });
    await expect(openDispute(db, { userId: c.userId, usageId: c.usageId, note: "again", now: NOW })).rejects.toMatchObject({ code: "dispute_open" });
    expect(await getDisputeForUsage(db, { userId: other.id, usageId: c.usageId })).toBeNull();
  });

  it("concurrent opens on one row make exactly one ticket", async () => {
    const c = await customerWithUsage();
    const rs = await Promise.allSettled(Array.from({ length: 8 }, () => openDispute(db, { userId: c.userId, usageId: c.usageId, note: "", now: NOW })));
    expect(rs.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    expect(await db.select().from(disputeTicket).where(eq(disputeTicket.usageId, c.usageId))).toHaveLength(1);
  });

  it("the queue lists open tickets oldest first with their age against the SLA", async () => {
    const a = await customerWithUsage();
    const b = await customerWithUsage();
    await openDispute(db, { userId: b.userId, usageId: b.usageId, note: "", now: new Date(NOW.getTime() - 30 * 3_600_000) });
    await openDispute(db, { userId: a.userId, usageId: a.usageId, note: "", now: new Date(NOW.getTime() - 3_600_000) });
    const q = await listDisputeQueue(db, { now: NOW });
    const mine = q.open.filter((t) => t.usageId === a.usageId || t.usageId === b.usageId);
    expect(mine.map((t) => t.usageId)).toEqual([b.usageId, a.usageId]);
    expect(mine[0]).toMatchObject({ ageMinutes: 30 * 60, overdue: true });
    expect(mine[1]).toMatchObject({ ageMinutes: 60, overdue: false });
    for (let i = 1; i < q.open.length; i++) expect(q.open[i]!.createdAt.getTime()).toBeGreaterThanOrEqual(q.open[i - 1]!.createdAt.getTime());
  });

  it("an explanation is audited and shown to the user; a refund goes through the audited refund and shows on the bill", async () => {
    const s = await staff();
    const c = await customerWithUsage();
    const t = await openDispute(db, { userId: c.userId, usageId: c.usageId, note: "", now: NOW });
    const explained = await answerDispute(db, {
      ticketId: t.id,
      actorUserId: s,
      answer: "按实际输出 400 tokens 计费",
      refund: false,
      idempotencyKey: key(),
      now: NOW,
    });
    expect(explained.ticket).toMatchObject({ status: "answered", resolution: "explained", answer: "按实际输出 400 tokens 计费" });
    expect(await getDisputeForUsage(db, { userId: c.userId, usageId: c.usageId })).toMatchObject({ resolution: "explained", auditId: explained.auditId });
    const [a] = await db.select().from(auditLog).where(eq(auditLog.id, explained.auditId));
    expect(a).toMatchObject({ action: "answer_dispute", actorUserId: s, targetUserId: c.userId });

    // A second ticket on the same row, answered with a refund.
    const before = await getBalance(db, { walletId: c.walletId, now: NOW });
    const t2 = await openDispute(db, { userId: c.userId, usageId: c.usageId, note: "还是不对", now: NOW });
    const refunded = await answerDispute(db, { ticketId: t2.id, actorUserId: s, answer: "已退还本条用量", refund: true, idempotencyKey: key(), now: NOW });
    expect(refunded.ticket).toMatchObject({ status: "answered", resolution: "refunded" });
    const after = await getBalance(db, { walletId: c.walletId, now: NOW });
    const [row] = await db.select({ billId: usage.billId }).from(usage).where(eq(usage.id, c.usageId));
    const lines = await listBillUsage(db, { billId: row!.billId, userId: c.userId });
    const line = lines?.rows.find((l) => l.id === c.usageId);
    expect(line?.refunded).toBe(true);
    expect(after.available - before.available).toBe(line!.planTokens);
    // Refunded once: no more tickets, no second refund.
    await expect(openDispute(db, { userId: c.userId, usageId: c.usageId, note: "", now: NOW })).rejects.toMatchObject({ code: "already_refunded" });
    expect((await reconcileLedger(db)).problems).toEqual([]);
  });

  it("staff never answer for themselves", async () => {
    const s = await staff();
    const w = await ensurePersonalWallet(db, { userId: s });
    await grant(db, {
      walletId: w.id,
      kind: "trial",
      amount: 1_000_000n,
      expiresAt: new Date(NOW.getTime() + 86_400_000),
      source: "trial",
      idempotencyKey: key(),
    });
    const u = await meteredRequest(db, { walletId: w.id, userId: s, amount: 20n, modelId: "deepseek-chat", now: NOW });
    if (!u.ok || !u.usageId) throw new Error("no usage");
    const usageId = u.usageId;
    const t = await openDispute(db, { userId: s, usageId, note: "", now: NOW });
    await expect(answerDispute(db, { ticketId: t.id, actorUserId: s, answer: "自己退", refund: true, idempotencyKey: key(), now: NOW })).rejects.toMatchObject({
      code: "self_dealing",
    });
    await expect(answerDispute(db, { ticketId: t.id, actorUserId: s, answer: "自己答", refund: false, idempotencyKey: key(), now: NOW })).rejects.toMatchObject(
      { code: "self_dealing" },
    );
    expect(await getDisputeForUsage(db, { userId: s, usageId })).toMatchObject({ status: "open" });
  });
});
