import { eq } from "drizzle-orm";
import type { SeedStep } from "./step";
import { auditLog, user } from "@/lib/db/schema";
import { findOrCreateUser } from "@/lib/auth/accounts";
import { grantGoodwill, unmaskPhone } from "@/lib/support/actions";
import { GOODWILL_APPROVAL_CAP } from "@/lib/support/config";

/** A second staff member for the two-person approval flow. */
export const SECOND_STAFF = { phone: "13900000001", name: "客服小陈" } as const;

/**
 * Demo support history: a second staff member, a small goodwill credit and an unmasking on
 * record, and one large credit waiting for another staff member's approval.
 */
export const seedSupport: SeedStep = async (db, { now, users }) => {
  const trial = users["13800000002"];
  const owner = users["13800000003"];
  if (!trial || !owner) return;
  if ((await db.select({ id: auditLog.id }).from(auditLog).where(eq(auditLog.idempotencyKey, "seed-support-1"))).length) return;
  const { user: staff } = await findOrCreateUser(db, { phone: SECOND_STAFF.phone, now });
  await db.update(user).set({ name: SECOND_STAFF.name, role: "support" }).where(eq(user.id, staff.id));
  const chen = staff.id;
  const at = (minutesAgo: number) => new Date(now.getTime() - minutesAgo * 60_000);
  await unmaskPhone(db, {
    targetUserId: trial,
    actorUserId: chen,
    reasonCode: "identity_verified",
    note: "来电核实身份",
    idempotencyKey: "seed-support-1",
    now: at(180),
  });
  await grantGoodwill(db, {
    targetUserId: trial,
    amount: 1_000_000n,
    actorUserId: chen,
    reasonCode: "service_outage",
    note: "对话中断补偿",
    idempotencyKey: "seed-support-2",
    now: at(175),
  });
  await grantGoodwill(db, {
    targetUserId: owner,
    amount: GOODWILL_APPROVAL_CAP * 4n,
    actorUserId: chen,
    reasonCode: "billing_dispute",
    note: "家庭套餐重复扣费，补偿额度",
    idempotencyKey: "seed-support-3",
    now: at(60),
  });
};
