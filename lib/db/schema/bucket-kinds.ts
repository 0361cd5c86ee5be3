/**
 * The kinds of bucket a wallet holds, in consumption order when expiries tie. Defined once: the
 * schema's enum and CHECK, the TypeScript type, balance ordering and the SQL rank
 * (lib/ledger/sql/ledger_kind_rank.sql, checked against this list by lib/ledger/bucket-kinds.test.ts)
 * all follow it. A new kind is added here, in that SQL file (then `npm run db:ledger-sql`), and in
 * `npm run db:generate` for the CHECK.
 */
// carryover (结转): last cycle's unused allowance, good until this cycle ends — the same expiry as
// this cycle's allowance, and spent before it.
export const BUCKET_KINDS = ["carryover", "allowance", "pack", "credit", "trial"] as const;
export type BucketKind = (typeof BUCKET_KINDS)[number];
