import { eq, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { findOrCreateUser } from "@/lib/auth/accounts";
import { provisionAccount } from "@/lib/accounts/provision";
import type { SeedStep } from "./step";

/**
 * Demo accounts shown on the sign-in page when DEMO_MODE is on. Their numbers are in the range
 * lib/auth/phone accepts only in demo mode, so they are never real accounts elsewhere.
 */
export const DEMO_ACCOUNTS = [
  { phone: "13800000001", name: "张伟", role: "subscriber", note: { "zh-CN": "个人套餐用户", en: "Personal plan" } },
  { phone: "13800000002", name: "李娜", role: "subscriber", note: { "zh-CN": "新用户（免费试用）", en: "New user (free trial)" } },
  { phone: "13800000003", name: "王芳", role: "subscriber", note: { "zh-CN": "家庭套餐户主", en: "Family plan owner" } },
  { phone: "13800000004", name: "王小明", role: "subscriber", note: { "zh-CN": "家庭成员", en: "Family member" } },
  { phone: "13900000000", name: "客服小刘", role: "support", note: { "zh-CN": "客服账号", en: "Support staff" } },
] as const;

/** Creates the demo accounts (idempotent). Later steps (plans, families) hang off `steps`. */
export async function seedDemo(db: Database, { now, steps = [] }: { now: Date; steps?: SeedStep[] }): Promise<Record<string, string>> {
  const users: Record<string, string> = {};
  for (const a of DEMO_ACCOUNTS) {
    const { user: u } = await findOrCreateUser(db, {
      phone: a.phone,
      now,
      onNewUser: a.role === "subscriber" ? (d, created) => provisionAccount(d, created, now) : undefined,
    });
    await db.update(user).set({ name: a.name, role: a.role }).where(eq(user.id, u.id));
    users[a.phone] = u.id;
  }
  for (const step of steps) await step(db, { now, users });
  return users;
}

/**
 * Seeds only an empty database (first start of the embedded database), and only in demo mode:
 * outside it a fresh database holds no accounts, and staff come from `npm run staff:create`.
 */
export async function seedIfEmpty(db: Database, { now, demoMode }: { now: Date; demoMode: boolean }): Promise<boolean> {
  if (!demoMode) return false;
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(user);
  if (n > 0) return false;
  const { defaultSeedSteps } = await import("./steps");
  await seedDemo(db, { now, steps: defaultSeedSteps });
  return true;
}
