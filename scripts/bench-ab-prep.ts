// Prepares one A/B benchmark database (see scripts/bench-gateway-ab.mjs): migrated, AB_WALLETS users
// each with a credit and an API key. Prints {"url","keys"}. Runs inside either tree of the comparison.
import pg from "pg";
import { migrateDatabase, openDatabase } from "../lib/db/connect";
import { user } from "../lib/db/schema";
import { ensurePersonalWallet, grant } from "../lib/ledger";
import { createApiKey } from "../lib/apikeys/keys";

const admin = process.env.PG_TEST_URL!;
const DB = process.env.AB_DB!;
const WALLETS = Number(process.env.AB_WALLETS ?? 1);
async function main() {
  const c = new pg.Client({ connectionString: admin });
  await c.connect();
  await c.query(`DROP DATABASE IF EXISTS ${DB} WITH (FORCE)`);
  await c.query(`CREATE DATABASE ${DB}`);
  await c.end();
  const url = admin.replace(/\/[^/]*$/, `/${DB}`);
  const h = await openDatabase({ url, driver: "node" });
  await migrateDatabase(h);
  const now = new Date();
  const keys: string[] = [];
  for (let i = 0; i < WALLETS; i++) {
    const [u] = await h.db
      .insert(user)
      .values({ phone: `137${String(i).padStart(8, "0")}`, name: "bench" })
      .returning();
    const w = await ensurePersonalWallet(h.db, { userId: u!.id });
    await grant(h.db, {
      walletId: w.id,
      kind: "credit",
      amount: 1_000_000_000_000n,
      expiresAt: new Date(now.getTime() + 30 * 86_400_000),
      source: "bench",
      idempotencyKey: `bench:grant:${i}`,
    });
    const { text } = await createApiKey(h.db, { userId: u!.id, name: "bench", now });
    keys.push(text);
  }
  await h.close();
  console.log(JSON.stringify({ url, keys }));
  process.exit(0);
}
main();
