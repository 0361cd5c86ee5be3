import { openCliDatabase } from "./cli-db";
import { seedDemo } from "../lib/seed";
import { defaultSeedSteps } from "../lib/seed-steps";

const handle = await openCliDatabase();
const users = await seedDemo(handle.db, { now: new Date(), steps: defaultSeedSteps });
console.log(`seeded ${Object.keys(users).length} demo accounts (${handle.driver})`);
await handle.close();
