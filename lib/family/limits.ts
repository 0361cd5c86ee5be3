import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { subscription } from "@/lib/db/schema";
import { getTier } from "@/lib/plans/tiers";

export type FamilyPlan = { tierId: string; tierName: { "zh-CN": string; en: string }; seats: number };

/**
 * The owner's family-capable plan, if any: `seats` is how many people (owner included) may share
 * the pool, from the plan catalog. Null when the owner's plan is not (or no longer) a family tier.
 */
export async function getFamilyPlan(db: Database, { ownerUserId }: { ownerUserId: string }): Promise<FamilyPlan | null> {
  const [sub] = await db.select({ tierId: subscription.tierId, status: subscription.status }).from(subscription).where(eq(subscription.userId, ownerUserId));
  if (!sub || sub.status !== "active") return null;
  const tier = getTier(sub.tierId);
  if (!tier || tier.familyMembers <= 0) return null;
  return { tierId: tier.id, tierName: tier.name, seats: tier.familyMembers };
}
