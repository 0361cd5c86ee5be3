import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import { and, eq } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { DbHandle } from "@/lib/db/connect";
import { hold, walletMember } from "@/lib/db/schema";
import { cycleOf } from "@/lib/core/cycle";
import { getBalance, getMemberSpend, reconcileLedger, reserve, settle } from "@/lib/ledger";
import { acceptInvitation, getFamilyUsageByMember, inviteMember, removeFamilyMember, setCap } from "./index";
import { familyOwner, NOW, person, quietSms } from "@/lib/testing/family";

// The family rules that only real concurrency can break, on PostgreSQL through the Neon driver.

let h: DbHandle;
beforeAll(async () => {
  h = await createPgTestDb({ max: 40 });
});
afterAll(async () => {
  await h?.close();
});

const cycle = cycleOf(NOW);

async function join(ownerId: string, capTokens: bigint | null) {
  const m = await person(h.db, "成员");
  const { invitation } = await inviteMember(h.db, { ownerUserId: ownerId, phone: m.phone, capTokens, now: NOW, sms: quietSms(h.db) });
  await acceptInvitation(h.db, { userId: m.id, invitationId: invitation.id, now: NOW });
  return m;
}

describe("the cap race on real PostgreSQL", () => {
  it("many concurrent sends by one member near the cap never exceed it", async () => {
    const { owner, walletId } = await familyOwner(h.db, { pool: 10_000_000n });
    const cap = 10_000n;
    const m = await join(owner.id, cap);
    // Spend up to near the cap first, then race 60 sends of 700 for the last 3,000.
    const first = await reserve(h.db, { walletId, userId: m.id, amount: 7_000n, idempotencyKey: `r:${randomUUID()}`, cycle, now: NOW, ttlSeconds: 600 });
    expect(first.ok).toBe(true);
    if (first.ok) await settle(h.db, { holdId: first.holdId, amount: 7_000n });

    const results = await Promise.all(
      Array.from({ length: 60 }, () =>
        reserve(h.db, { walletId, userId: m.id, amount: 700n, idempotencyKey: `r:${randomUUID()}`, cycle, now: NOW, ttlSeconds: 600 }),
      ),
    );
    const ok = results.filter((r) => r.ok);
    expect(ok).toHaveLength(4); // 3,000 / 700
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "cap_reached")).toBe(true);
    const spend = await getMemberSpend(h.db, { walletId, userId: m.id, cycle });
    expect(spend.used + spend.held).toBe(9_800n);
    expect(spend.used + spend.held).toBeLessThanOrEqual(cap);

    // Settle half, release half concurrently while the owner lowers the cap: still never above.
    await Promise.all([
      ...ok.map((r, i) => (r.ok ? settle(h.db, { holdId: r.holdId, amount: i % 2 ? 700n : 300n }) : null)),
      setCap(h.db, { ownerUserId: owner.id, memberUserId: m.id, capTokens: 9_000n }),
    ]);
    const after = await getMemberSpend(h.db, { walletId, userId: m.id, cycle });
    expect(after.held).toBe(0n);
    expect(after.used).toBe(7_000n + 2n * 700n + 2n * 300n);
    const more = await reserve(h.db, { walletId, userId: m.id, amount: 1n, idempotencyKey: `r:${randomUUID()}`, cycle, now: NOW, ttlSeconds: 600 });
    expect(more).toMatchObject({ ok: false, code: "cap_reached" });
    expect((await reconcileLedger(h.db)).problems).toEqual([]);
  });

  it("two members racing for the last of the pool never overdraw it", async () => {
    const { owner, walletId } = await familyOwner(h.db, { pool: 5_000n });
    const a = await join(owner.id, null);
    const b = await join(owner.id, 100_000n);
    const results = await Promise.all(
      Array.from({ length: 40 }, (_, i) =>
        reserve(h.db, { walletId, userId: i % 2 ? a.id : b.id, amount: 300n, idempotencyKey: `r:${randomUUID()}`, cycle, now: NOW, ttlSeconds: 600 }),
      ),
    );
    expect(results.filter((r) => r.ok)).toHaveLength(16); // 5,000 / 300
    const bal = await getBalance(h.db, { walletId, now: NOW });
    expect(bal.available).toBe(200n);
    expect(bal.held).toBe(4_800n);
    await removeFamilyMember(h.db, { ownerUserId: owner.id, memberUserId: a.id, now: NOW });
    // Removal never releases a live hold: each of A's streams is asked to stop and settles itself.
    const openOfA = await h.db
      .select()
      .from(hold)
      .where(and(eq(hold.userId, a.id), eq(hold.state, "open")));
    expect(openOfA.length).toBeGreaterThan(0);
    expect(openOfA.every((x) => x.stopRequestedAt !== null)).toBe(true);
    expect((await reconcileLedger(h.db)).problems).toEqual([]);
  });
});

describe("seats under concurrency", () => {
  it("concurrent invitations never exceed the tier's seats", async () => {
    const { owner } = await familyOwner(h.db, { tierId: "t1999" });
    const people = await Promise.all(Array.from({ length: 10 }, () => person(h.db)));
    const results = await Promise.allSettled(people.map((p) => inviteMember(h.db, { ownerUserId: owner.id, phone: p.phone, now: NOW, sms: quietSms(h.db) })));
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    expect(
      results.filter((r) => r.status === "rejected").every((r) => r.status === "rejected" && (r.reason as { code?: string }).code === "member_limit_reached"),
    ).toBe(true);
  });

  it("one person accepting two families at once ends up in one", async () => {
    const a = await familyOwner(h.db);
    const b = await familyOwner(h.db);
    const p = await person(h.db);
    const ia = (await inviteMember(h.db, { ownerUserId: a.owner.id, phone: p.phone, now: NOW, sms: quietSms(h.db) })).invitation;
    const ib = (await inviteMember(h.db, { ownerUserId: b.owner.id, phone: p.phone, now: NOW, sms: quietSms(h.db) })).invitation;
    const results = await Promise.allSettled([
      acceptInvitation(h.db, { userId: p.id, invitationId: ia.id, now: NOW }),
      acceptInvitation(h.db, { userId: p.id, invitationId: ib.id, now: NOW }),
    ]);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const active = await h.db
      .select()
      .from(walletMember)
      .where(and(eq(walletMember.userId, p.id), eq(walletMember.status, "active")));
    expect(active).toHaveLength(1);
    expect(
      (await getFamilyUsageByMember(h.db, { ownerUserId: a.owner.id, cycle })).length +
        (await getFamilyUsageByMember(h.db, { ownerUserId: b.owner.id, cycle })).length,
    ).toBe(3);
  });
});
