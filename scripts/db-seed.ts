import { openCliDatabase } from "./cli-db";
import { parseEnv } from "../lib/server/env-schema";
import { seedDemo } from "@/lib/demo/seed/accounts";
import { defaultSeedSteps } from "@/lib/demo/seed/steps";

// Demo accounts (staff included) have numbers valid only in demo mode: never on a real database.
if (!parseEnv(process.env).demoMode) {
  console.error("db:seed adds the demo accounts and needs DEMO_MODE=true; make staff with `npm run staff:create`");
  process.exit(2);
}
const handle = await openCliDatabase();
const users = await seedDemo(handle.db, { now: new Date(), steps: defaultSeedSteps });
console.log(`seeded ${Object.keys(users).length} demo accounts (${handle.driver})`);
await handle.close();
