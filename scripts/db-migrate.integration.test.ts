import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { promisify } from "node:util";
import pg from "pg";

// The app cannot rewrite history: `npm run db:migrate` migrates as the owner
// (DATABASE_MIGRATION_URL) and gives the app's role (DATABASE_URL) DML everywhere but on
// audit_log, where it may only INSERT and SELECT and cannot disable the append-only trigger.

const run = promisify(execFile);
const admin = process.env.PG_TEST_URL!;
const suffix = randomBytes(4).toString("hex");
const dbName = `t_roles_${suffix}`;
const owner = `owner_${suffix}`;
const app = `app_${suffix}`;
const urlAs = (role: string) => {
  const u = new URL(admin);
  u.username = role;
  u.pathname = `/${dbName}`;
  return u.toString();
};
let asApp: pg.Client;

async function adminQuery(text: string, database?: string) {
  const u = new URL(admin);
  if (database) u.pathname = `/${database}`;
  const c = new pg.Client({ connectionString: u.toString() });
  await c.connect();
  try {
    return await c.query(text);
  } finally {
    await c.end();
  }
}

beforeAll(async () => {
  await adminQuery(`CREATE ROLE ${owner} LOGIN`);
  await adminQuery(`CREATE ROLE ${app} LOGIN`);
  await adminQuery(`CREATE DATABASE ${dbName} OWNER ${owner}`);
  // PostgreSQL 15: only the database owner creates in schema public.
  await adminQuery(`ALTER SCHEMA public OWNER TO ${owner}`, dbName);
  const env = { ...process.env, DATABASE_URL: urlAs(app), DATABASE_MIGRATION_URL: urlAs(owner), DATABASE_DRIVER: "node", NODE_ENV: "development" as const };
  const out = await run("npx", ["tsx", "scripts/db-migrate.ts"], { env, timeout: 120_000 });
  expect(out.stdout).toMatch(/granted the app role/);
  asApp = new pg.Client({ connectionString: urlAs(app) });
  await asApp.connect();
}, 180_000);

afterAll(async () => {
  await asApp?.end();
  await adminQuery(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
  await adminQuery(`DROP ROLE IF EXISTS ${app}`);
  await adminQuery(`DROP ROLE IF EXISTS ${owner}`);
});

describe("the app's database role", () => {
  it("may INSERT and SELECT audit_log, and nothing else there", async () => {
    const { rows } = await asApp.query(`INSERT INTO "user" (phone) VALUES ('13912345678') RETURNING id`);
    const actor = rows[0].id as string;
    await asApp.query(`INSERT INTO audit_log (actor_user_id, action, reason_code, idempotency_key) VALUES ($1, 'test', 'other', 'k1')`, [actor]);
    expect((await asApp.query(`SELECT count(*)::int AS n FROM audit_log`)).rows[0].n).toBe(1);

    await expect(asApp.query(`ALTER TABLE audit_log DISABLE TRIGGER audit_log_no_update_delete`)).rejects.toThrow(/owner|permission/);
    await expect(asApp.query(`ALTER TABLE audit_log DISABLE TRIGGER ALL`)).rejects.toThrow(/owner|permission/);
    await expect(asApp.query(`UPDATE audit_log SET note = 'rewritten'`)).rejects.toThrow(/permission denied/);
    await expect(asApp.query(`DELETE FROM audit_log`)).rejects.toThrow(/permission denied/);
    await expect(asApp.query(`TRUNCATE audit_log`)).rejects.toThrow(/permission denied/);
    await expect(asApp.query(`DROP TABLE audit_log`)).rejects.toThrow(/owner|permission/);
    expect((await asApp.query(`SELECT count(*)::int AS n FROM audit_log WHERE note = ''`)).rows[0].n).toBe(1);
  });

  it("may do everything else the app does: DML on every other table, sequences, functions", async () => {
    const { rows } = await asApp.query<{ missing: string | null }>(`
      SELECT string_agg(what, ', ') AS missing FROM (
        SELECT 'table ' || c.relname AS what FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind IN ('r', 'p') AND c.relname <> 'audit_log'
            AND NOT has_table_privilege(current_user, c.oid, 'SELECT, INSERT, UPDATE, DELETE')
        UNION ALL
        SELECT 'sequence ' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
          WHERE n.nspname = 'public' AND c.relkind = 'S' AND NOT has_sequence_privilege(current_user, c.oid, 'USAGE')
        UNION ALL
        SELECT 'function ' || p.proname FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
          WHERE n.nspname = 'public' AND NOT has_function_privilege(current_user, p.oid, 'EXECUTE')
      ) m`);
    expect(rows[0]!.missing).toBeNull();
    await asApp.query(`UPDATE "user" SET name = 'x' WHERE phone = '13912345678'`);
  });

  it("is granted the same again by a second db:migrate (idempotent)", async () => {
    const env = { ...process.env, DATABASE_URL: urlAs(app), DATABASE_MIGRATION_URL: urlAs(owner), DATABASE_DRIVER: "node", NODE_ENV: "development" as const };
    const out = await run("npx", ["tsx", "scripts/db-migrate.ts"], { env, timeout: 120_000 });
    expect(out.stdout).toMatch(/granted the app role/);
  });
});
