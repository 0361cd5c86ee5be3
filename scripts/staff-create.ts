import { eq } from "drizzle-orm";
import { z } from "zod";
import { openCliDatabase, flag } from "./cli-db";
import { phoneSchema } from "../lib/auth/phone";
import { findOrCreateUser } from "../lib/auth/accounts";
import { user } from "../lib/db/schema";

// npm run staff:create -- --phone 13912345678 --name 客服小张 (demo-range numbers are refused)
const input = z.object({ phone: phoneSchema, name: z.string().trim().min(1).max(40) }).safeParse({ phone: flag("phone") ?? "", name: flag("name") ?? "" });
if (!input.success) {
  console.error("usage: npm run staff:create -- --phone 1XXXXXXXXXX --name NAME");
  for (const i of input.error.issues) console.error(`  ${i.path.join(".")}: ${i.message}`);
  process.exit(2);
}
const handle = await openCliDatabase();
const { user: u, created } = await findOrCreateUser(handle.db, { phone: input.data.phone, now: new Date() });
await handle.db.update(user).set({ role: "support", name: input.data.name }).where(eq(user.id, u.id));
console.log(`${created ? "created" : "promoted"} support account ${input.data.phone} (${input.data.name})`);
await handle.close();
