import type { SeedStep } from "./seed";
import { seedPlans } from "./plans/seed";
import { seedFamily } from "./family/seed";
import { seedSupport } from "./support/seed";

/**
 * Demo data beyond bare accounts, one step per domain (plans, families, usage), run in order
 * by `npm run db:seed` and the first start of the embedded database.
 */
export const defaultSeedSteps: SeedStep[] = [
  seedPlans,
  seedFamily,
  seedSupport,
];
