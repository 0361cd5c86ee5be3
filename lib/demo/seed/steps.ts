import type { SeedStep } from "./step";
import { seedPlans } from "./plans";
import { seedFamily } from "./family";
import { seedSupport } from "./support";

/**
 * Demo data beyond bare accounts, one step per domain (plans, families, usage), run in order
 * by `npm run db:seed` and the first start of the embedded database.
 */
export const defaultSeedSteps: SeedStep[] = [seedPlans, seedFamily, seedSupport];
