import type { Database } from "@/lib/db/types";

/**
 * One step of the demo data (plans, families, usage) after the accounts exist. Its own module so
 * the steps and the runner (accounts.ts) do not import each other.
 */
export type SeedStep = (db: Database, ctx: { now: Date; users: Record<string, string> }) => Promise<void>;
