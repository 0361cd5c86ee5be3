import { randomUUID } from "node:crypto";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { reconcileLedger } from "./reconcile";

let seq = 0;
/** A subscriber row for ledger tests (phone numbers unique per process). */
export async function makeUser(db: Database): Promise<string> {
  seq++;
  const phone = `139${String(process.pid % 10000).padStart(4, "0")}${String(seq).padStart(4, "0")}`;
  const [u] = await db.insert(user).values({ phone }).returning({ id: user.id });
  return u.id;
}

export const key = (p = "k") => `${p}:${randomUUID()}`;

/** Fails the test with the reconcile report when any ledger invariant is broken. */
export async function expectReconciled(db: Database): Promise<void> {
  const r = await reconcileLedger(db);
  if (!r.ok) throw new Error(`ledger invariants broken:\n${r.problems.map((p) => `  ${p.check}: ${p.detail}`).join("\n")}`);
}

export const NOW = new Date("2026-05-10T04:00:00Z");
export const CYCLE = "2026-05";
export const DAY = 86_400_000;
export const days = (n: number, from = NOW) => new Date(from.getTime() + n * DAY);
