// npm run db:ledger-sql — makes a migration from lib/ledger/sql: every function whose file differs
// from what the migrations so far create goes into a new drizzle migration, as written.
// (A changed signature needs a DROP FUNCTION first: add it at the top of the generated file.)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { PGlite } from "@electric-sql/pglite";
import { drizzle } from "drizzle-orm/pglite";
import { migrate } from "drizzle-orm/pglite/migrator";
import { pgliteExtensions } from "../lib/db/pglite-extensions";
import { FUNCTION_DEFS_SQL, ledgerFunctionSources, normalizeFunctionDef } from "../lib/ledger/sql/sources";

const client = new PGlite({ extensions: await pgliteExtensions() });
await migrate(drizzle(client), { migrationsFolder: path.join(process.cwd(), "drizzle") });
const { rows } = await client.query<{ name: string; def: string }>(FUNCTION_DEFS_SQL);
await client.close();

const changed = ledgerFunctionSources().filter((s) => {
  const current = rows.find((r) => r.name === s.name);
  return !current || normalizeFunctionDef(current.def) !== normalizeFunctionDef(s.sql);
});
if (changed.length === 0) {
  console.log("ledger functions: the migrations already create lib/ledger/sql as it is");
  process.exit(0);
}

const name = process.argv[2] ?? "ledger_functions";
execFileSync("npx", ["drizzle-kit", "generate", "--custom", "--name", name], { stdio: "inherit" });
const journal = JSON.parse(readFileSync("drizzle/meta/_journal.json", "utf8")) as { entries: { tag: string }[] };
const file = path.join("drizzle", `${journal.entries.at(-1)!.tag}.sql`);
const header = `-- Made by npm run db:ledger-sql from lib/ledger/sql (${changed.map((c) => c.name).join(", ")}).\n`;
const body = header + changed.map((c) => c.sql.trimEnd() + ";").join("\n--> statement-breakpoint\n");
writeFileSync(file, body + "\n");
console.log(`wrote ${file}: ${changed.map((c) => c.name).join(", ")}`);
