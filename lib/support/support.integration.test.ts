import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq, sql } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { auditLog, supportApproval } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, reconcileLedger } from "@/lib/ledger";
import { decideApproval, grantGoodwill } from "./actions";
import { GOODWILL_APPROVAL_CAP, GOODWILL_DAILY_ACCOUNT_LIMIT, GOODWILL_DAILY_STAFF_LIMIT } from "./config";
import { makeUser } from "@/lib/testing/support";

// What only real PostgreSQL and real concurrency can show: the append-only trigger, a form
// submitted many times at once, two staff members approving the same request at once.

let h: DbHandle;
const now = new Date();
const phone = () => `13${String(Math.floor(Math.random() * 1e9)).padStart(9, "0")}`;

beforeAll(async () => {
  h = await createPgTestDb({ max: 20 });
});
afterAll(async () => {
  if (h) expect((await reconcileLedger(h.db)).problems).toEqual([]);
  await h?.close();
});

describe("support on PostgreSQL", () => {
  it("the audit log refuses UPDATE and DELETE", async () => {
    const staff = await makeUser(h.db, { phone: phone(), name: "客服甲", role: "support", now });
    const customer = await makeUser(h.db, { phone: phone(), name: "顾客", now });
    const key = `pg-${Math.random()}`;
    await grantGoodwill(h.db, { targetUserId: customer, amount: 1000n, actorUserId: staff, reasonCode: "goodwill", note: "", idempotencyKey: key, now });
    await expect(h.db.execute(sql`update audit_log set note = 'x' where idempotency_key = ${key}`)).rejects.toThrow();
    await expect(h.db.execute(sql`delete from audit_log where idempotency_key = ${key}`)).rejects.toThrow();
    const rows = await h.db.select().from(auditLog).where(eq(auditLog.idempotencyKey, key));
    expect(rows).toHaveLength(1);
    expect(rows[0]!.note).toBe("");
  });

  it("one form submitted 12 times at once credits once and logs once", async () => {
    const staff = await makeUser(h.db, { phone: phone(), name: "客服乙", role: "support", now });
    const customer = await makeUser(h.db, { phone: phone(), name: "顾客", now });
    const w = await ensurePersonalWallet(h.db, { userId: customer });
    const before = await getBalance(h.db, { walletId: w.id, now });
    const key = `pg-race-${Math.random()}`;
    const results = await Promise.allSettled(
      Array.from({ length: 12 }, () =>
        grantGoodwill(h.db, { targetUserId: customer, amount: 250_000n, actorUserId: staff, reasonCode: "goodwill", note: "", idempotencyKey: key, now }),
      ),
    );
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const after = await getBalance(h.db, { walletId: w.id, now });
    expect(after.available - before.available).toBe(250_000n);
    expect(await h.db.select().from(auditLog).where(eq(auditLog.idempotencyKey, key))).toHaveLength(1);
  });

  it("two staff members approving one large credit at once grant it once", async () => {
    const asker = await makeUser(h.db, { phone: phone(), name: "客服丙", role: "support", now });
    const a = await makeUser(h.db, { phone: phone(), name: "客服丁", role: "support", now });
    const b = await makeUser(h.db, { phone: phone(), name: "客服戊", role: "support", now });
    const customer = await makeUser(h.db, { phone: phone(), name: "顾客", now });
    const w = await ensurePersonalWallet(h.db, { userId: customer });
    const before = await getBalance(h.db, { walletId: w.id, now });
    const amount = GOODWILL_APPROVAL_CAP + 1_000n;
    const r = await grantGoodwill(h.db, {
      targetUserId: customer,
      amount,
      actorUserId: asker,
      reasonCode: "billing_dispute",
      note: "",
      idempotencyKey: `pg-ask-${Math.random()}`,
      now,
    });
    if (r.status !== "pending_approval") throw new Error("expected a pending approval");
    const decisions = await Promise.allSettled(
      [a, b, a, b].map((actor, i) =>
        decideApproval(h.db, {
          approvalId: r.approvalId,
          decision: "approve",
          actorUserId: actor,
          reasonCode: "goodwill",
          note: "",
          idempotencyKey: `pg-dec-${i}-${Math.random()}`,
          now,
        }),
      ),
    );
    expect(decisions.filter((d) => d.status === "fulfilled")).toHaveLength(1);
    for (const d of decisions) if (d.status === "rejected") expect((d.reason as { code?: string }).code).toBe("approval_already_decided");
    const after = await getBalance(h.db, { walletId: w.id, now });
    expect(after.available - before.available).toBe(amount);
  });

  it("concurrent small credits to one account never both slip under the day's account total", async () => {
    const per = GOODWILL_DAILY_ACCOUNT_LIMIT / 2n;
    const customer = await makeUser(h.db, { phone: phone(), name: "顾客", now });
    const staffIds = await Promise.all(Array.from({ length: 6 }, (_, i) => makeUser(h.db, { phone: phone(), name: `客服${i}`, role: "support", now })));
    const w = await ensurePersonalWallet(h.db, { userId: customer });
    const before = await getBalance(h.db, { walletId: w.id, now });
    const results = await Promise.all(
      staffIds.map((actor, i) =>
        grantGoodwill(h.db, {
          targetUserId: customer,
          amount: per,
          actorUserId: actor,
          reasonCode: "goodwill",
          note: "",
          idempotencyKey: `pg-day-acct-${i}-${Math.random()}`,
          now,
        }),
      ),
    );
    expect(results.filter((r) => r.status === "credited")).toHaveLength(2);
    expect(results.filter((r) => r.status === "pending_approval")).toHaveLength(4);
    const after = await getBalance(h.db, { walletId: w.id, now });
    expect(after.available - before.available).toBe(GOODWILL_DAILY_ACCOUNT_LIMIT);
    expect(await h.db.select().from(supportApproval).where(eq(supportApproval.targetUserId, customer))).toHaveLength(4);
  });

  it("concurrent small credits by one staff member never pass the day's staff total", async () => {
    const per = GOODWILL_APPROVAL_CAP;
    const fits = Number(GOODWILL_DAILY_STAFF_LIMIT / per);
    const staff = await makeUser(h.db, { phone: phone(), name: "客服己", role: "support", now });
    const customers = await Promise.all(Array.from({ length: fits + 3 }, () => makeUser(h.db, { phone: phone(), name: "顾客", now })));
    const results = await Promise.all(
      customers.map((c, i) =>
        grantGoodwill(h.db, {
          targetUserId: c,
          amount: per,
          actorUserId: staff,
          reasonCode: "goodwill",
          note: "",
          idempotencyKey: `pg-day-staff-${i}-${Math.random()}`,
          now,
        }),
      ),
    );
    expect(results.filter((r) => r.status === "credited")).toHaveLength(fits);
    const credited = await h.db.select().from(auditLog).where(eq(auditLog.actorUserId, staff));
    expect(credited.filter((a) => a.action === "goodwill_credit")).toHaveLength(fits);
    expect(credited.filter((a) => a.action === "goodwill_credit_requested")).toHaveLength(3);
  });
});
