import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

/**
 * The ledger's PL/pgSQL, one readable file per function (lib/ledger/sql/<name>.sql), written as
 * PostgreSQL prints it back (pg_get_functiondef). Migrations are made from these files
 * (`npm run db:ledger-sql`), and a test checks that a migrated database's functions equal them.
 */
export const LEDGER_SQL_DIR = path.join(process.cwd(), "lib", "ledger", "sql");

export type LedgerFunctionSource = { name: string; file: string; sql: string };

export function ledgerFunctionSources(dir = LEDGER_SQL_DIR): LedgerFunctionSource[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith(".sql"))
    .sort()
    .map((f) => ({ name: f.slice(0, -4), file: path.join(dir, f), sql: readFileSync(path.join(dir, f), "utf8") }));
}

/** Whitespace at line ends and the file's end carries no meaning. */
export function normalizeFunctionDef(def: string): string {
  return def
    .split("\n")
    .map((l) => l.trimEnd())
    .join("\n")
    .trim();
}

/** Every ledger function's definition as the database holds it. */
export const FUNCTION_DEFS_SQL = `select p.proname as name, pg_get_functiondef(p.oid) as def
  from pg_proc p join pg_namespace n on n.oid = p.pronamespace
  where n.nspname = 'public' and p.proname like 'ledger\\_%' order by 1`;
