import { openCliDatabase } from "./cli-db";

const handle = await openCliDatabase({ migrate: true });
console.log(`migrated (${handle.driver})`);
await handle.close();
