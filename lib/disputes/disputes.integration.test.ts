import { describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { disputeTicket, entry, user } from "@/lib/db/schema";
import { ensurePersonalWallet, getBalance, grant, reconcileLedger } from "@/lib/ledger";
import { meteredRequest } from "@/lib/testing/ledger";
import { answerDispute, openDispute } from "./disputes";

describe("disputes on real PostgreSQL", () => {
  it("concurrent opens make one ticket; two staff refunding at once refund once", async () => {
    const h = await createPgTestDb();
    const db = h.db;
    try {
      const now = new Date();
      const [c] = await db.insert(user).values({ phone: "13700000001" }).returning();
      const staff = await db
        .insert(user)
        .values([
          { phone: "13700000002", role: "support" },
          { phone: "13700000003", role: "support" },
        ])
        .returning();
      const w = await ensurePersonalWallet(db, { userId: c!.id });
      await grant(db, {
        walletId: w.id,
        kind: "trial",
        amount: 100_000n,
        expiresAt: new Date(now.getTime() + 86_400_000),
        source: "trial",
        idempotencyKey: "t",
      });
      const u = await meteredRequest(db, { walletId: w.id, userId: c!.id, amount: 700n, modelId: "deepseek-chat", now });
      if (!u.ok || !u.usageId) throw new Error("no usage");
      const usageId = u.usageId;

      const opens = await Promise.allSettled(Array.from({ length: 10 }, () => openDispute(db, { userId: c!.id, usageId, note: "", now })));
      expect(opens.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const ticket = (opens.find((r) => r.status === "fulfilled") as PromiseFulfilledResult<{ id: string }>).value;

      const before = await getBalance(db, { walletId: w.id, now });
      const answers = await Promise.allSettled(
        staff.map((s) => answerDispute(db, { ticketId: ticket.id, actorUserId: s.id, answer: "已退款", refund: true, idempotencyKey: randomUUID(), now })),
      );
      expect(answers.filter((r) => r.status === "fulfilled")).toHaveLength(1);
      const after = await getBalance(db, { walletId: w.id, now });
      expect(after.available - before.available).toBe(700n);
      const [t] = await db.select().from(disputeTicket).where(eq(disputeTicket.id, ticket.id));
      expect(t).toMatchObject({ status: "answered", resolution: "refunded" });
      expect((await db.select().from(entry).where(eq(entry.walletId, w.id))).filter((e) => e.kind === "refund")).toHaveLength(1);
      expect((await reconcileLedger(db)).problems).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
