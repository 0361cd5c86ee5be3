import type { Database } from "@/lib/db/types";
import { queryRows, sql } from "@/lib/db/sql";
import type { SQL } from "drizzle-orm";

export type ReconcileProblem = { check: string; detail: string };
/** One invariant over the whole database; returns a problem per difference found. */
export type ReconcileCheck = { name: string; run: (db: Database) => Promise<ReconcileProblem[]> };
export type ReconcileReport = { ok: boolean; problems: ReconcileProblem[] };

/** A check from a query whose every row is a difference; `detail` formats a row. */
export function sqlCheck<T extends Record<string, unknown>>(name: string, query: SQL, detail: (row: T) => string): ReconcileCheck {
  return { name, run: async (db) => (await queryRows<T>(db, query)).map((r) => ({ check: name, detail: detail(r) })) };
}

const holdParts = sql`
  select h.id as hold_id, h.wallet_id, (p->>'bucketId')::uuid as bucket_id, (p->>'amount')::bigint as amount
  from hold h cross join lateral jsonb_array_elements(h.split) p
  where h.state = 'open'`;

/** Every ledger invariant of CONVENTIONS §3 and issue 3. */
export const ledgerChecks: ReconcileCheck[] = [
  sqlCheck<{ id: string; total: string; entries: string }>(
    "wallet_entries",
    sql`select w.id, (w.available + w.held)::text as total, coalesce(e.s, 0)::text as entries
        from wallet w left join (select wallet_id, sum(amount) s from entry group by wallet_id) e on e.wallet_id = w.id
        where w.available + w.held <> coalesce(e.s, 0)`,
    (r) => `wallet ${r.id}: available+held ${r.total} but entries sum to ${r.entries}`,
  ),
  sqlCheck<{ id: string; available: string; held: string; b_available: string; b_held: string }>(
    "wallet_buckets",
    sql`select w.id, w.available::text, w.held::text, coalesce(b.a, 0)::text as b_available, coalesce(b.h, 0)::text as b_held
        from wallet w left join (select wallet_id, sum(available) a, sum(held) h from bucket group by wallet_id) b on b.wallet_id = w.id
        where w.available <> coalesce(b.a, 0) or w.held <> coalesce(b.h, 0)`,
    (r) => `wallet ${r.id}: available/held ${r.available}/${r.held} but buckets hold ${r.b_available}/${r.b_held}`,
  ),
  sqlCheck<{ id: string; total: string; entries: string }>(
    "bucket_entries",
    sql`select b.id, (b.available + b.held)::text as total, coalesce(e.s, 0)::text as entries
        from bucket b left join (select bucket_id, sum(amount) s from entry where bucket_id is not null group by bucket_id) e on e.bucket_id = b.id
        where b.available + b.held <> coalesce(e.s, 0)`,
    (r) => `bucket ${r.id}: available+held ${r.total} but entries sum to ${r.entries}`,
  ),
  sqlCheck<{ id: string; amount: string }>(
    "unbucketed_entries_zero",
    sql`select id, amount::text from entry where bucket_id is null and amount <> 0`,
    (r) => `entry ${r.id} moves ${r.amount} tokens without a bucket`,
  ),
  sqlCheck<{ what: string; id: string; value: string }>(
    "nothing_negative",
    sql`select 'wallet' as what, id::text, least(available, held)::text as value from wallet where available < 0 or held < 0
        union all select 'bucket', id::text, least(available, held)::text from bucket where available < 0 or held < 0
        union all select 'hold', id::text, least(amount, coalesce(settled_amount, 0))::text from hold where amount < 0 or settled_amount < 0 or settled_amount > amount
        union all select 'member_spend', wallet_id::text || '/' || user_id::text || '/' || cycle, least(used, held)::text from member_spend where used < 0 or held < 0`,
    (r) => `${r.what} ${r.id} has ${r.value}`,
  ),
  sqlCheck<{ id: string; available: string }>(
    "expired_buckets_empty",
    sql`select id, available::text from bucket where expired_at is not null and available <> 0`,
    (r) => `bucket ${r.id} is expired but has ${r.available} available`,
  ),
  sqlCheck<{ id: string; held: string; holds: string }>(
    "bucket_held_matches_open_holds",
    sql`select b.id, b.held::text, coalesce(p.s, 0)::text as holds
        from bucket b left join (select bucket_id, sum(amount) s from (${holdParts}) x group by bucket_id) p on p.bucket_id = b.id
        where b.held <> coalesce(p.s, 0)`,
    (r) => `bucket ${r.id}: held ${r.held} but open holds take ${r.holds} from it`,
  ),
  sqlCheck<{ id: string; held: string; holds: string }>(
    "wallet_held_matches_open_holds",
    sql`select w.id, w.held::text, coalesce(h.s, 0)::text as holds
        from wallet w left join (select wallet_id, sum(amount) s from hold where state = 'open' group by wallet_id) h on h.wallet_id = w.id
        where w.held <> coalesce(h.s, 0)`,
    (r) => `wallet ${r.id}: held ${r.held} but open holds sum to ${r.holds}`,
  ),
  sqlCheck<{ id: string; amount: string; split: string }>(
    "hold_split_sums",
    sql`select h.id, h.amount::text, coalesce((select sum((p->>'amount')::bigint) from jsonb_array_elements(h.split) p), 0)::text as split
        from hold h
        where h.amount <> coalesce((select sum((p->>'amount')::bigint) from jsonb_array_elements(h.split) p), 0)`,
    (r) => `hold ${r.id}: amount ${r.amount} but its split sums to ${r.split}`,
  ),
  sqlCheck<{ id: string; state: string; markers: string; kinds: string | null }>(
    "hold_resolved_once",
    // A hold leaves 'open' once (stamped resolved_at). Zero-amount resolution entries record who
    // or why (support, the sweeper; before migration 0012 every resolution wrote one): at most
    // one per hold, none while open, and of the kind the hold ended with. A second settle shows
    // up in hold_charge_matches_entries, a second release in the held checks.
    sql`select h.id, h.state, count(e.id)::text as markers, string_agg(e.kind, ',') as kinds
        from hold h left join entry e on e.hold_id = h.id and e.kind in ('settle', 'release') and e.bucket_id is null
        group by h.id, h.state
        having count(e.id) > case when h.state = 'open' then 0 else 1 end
            or bool_or(e.kind <> case h.state when 'settled' then 'settle' when 'released' then 'release' end)
            or (h.state = 'open') <> (h.resolved_at is null)`,
    (r) => `hold ${r.id} (${r.state}) has ${r.markers} resolution entries${r.kinds ? ` (${r.kinds})` : ""}`,
  ),
  sqlCheck<{ id: string; settled: string; charged: string }>(
    "hold_charge_matches_entries",
    sql`select h.id, coalesce(h.settled_amount, 0)::text as settled, coalesce(-e.s, 0)::text as charged
        from hold h left join (select hold_id, sum(amount) s from entry where kind = 'settle' group by hold_id) e on e.hold_id = h.id
        where h.state <> 'open' and coalesce(h.settled_amount, 0) <> coalesce(-e.s, 0)`,
    (r) => `hold ${r.id}: settled ${r.settled} but settle entries charge ${r.charged}`,
  ),
  sqlCheck<{ wallet_id: string; user_id: string; cycle: string; held: string; holds: string }>(
    "member_spend_held",
    sql`select coalesce(s.wallet_id, h.wallet_id) as wallet_id, coalesce(s.user_id, h.user_id) as user_id, coalesce(s.cycle, h.cycle) as cycle,
               coalesce(s.held, 0)::text as held, coalesce(h.s, 0)::text as holds
        from member_spend s
        full join (select h.wallet_id, h.user_id, h.cycle, sum(h.amount) s from hold h join wallet w on w.id = h.wallet_id
                   where h.state = 'open' and w.kind = 'family' group by 1, 2, 3) h
          on h.wallet_id = s.wallet_id and h.user_id = s.user_id and h.cycle = s.cycle
        where coalesce(s.held, 0) <> coalesce(h.s, 0)`,
    (r) => `member ${r.user_id} of wallet ${r.wallet_id} in ${r.cycle}: held ${r.held} but open holds sum to ${r.holds}`,
  ),
  sqlCheck<{ id: string; problem: string }>(
    "usage_bill_and_price",
    sql`select u.id, case
          when b.id is null then 'no bill'
          when b.cycle <> u.cycle then 'bill of cycle ' || b.cycle || ' for usage of ' || u.cycle
          when b.user_id <> w.owner_user_id then 'bill of another payer'
          when u.cycle !~ '^[0-9]{4}-[0-9]{2}$' then 'bad cycle ' || u.cycle
          when u.weight_in_micro < 0 or u.weight_out_micro < 0 then 'negative weights'
          when h.id is not null and h.cycle <> u.cycle then 'hold cycle ' || h.cycle
          when h.id is not null and h.state = 'open' then 'hold still open'
          when h.id is not null and coalesce(h.settled_amount, 0) <> u.plan_tokens then 'plan tokens ' || u.plan_tokens || ' but hold settled ' || coalesce(h.settled_amount, 0)
        end as problem
        from usage u join wallet w on w.id = u.wallet_id left join bill b on b.id = u.bill_id left join hold h on h.id = u.hold_id
        where b.id is null or b.cycle <> u.cycle or b.user_id <> w.owner_user_id or u.cycle !~ '^[0-9]{4}-[0-9]{2}$'
           or u.weight_in_micro < 0 or u.weight_out_micro < 0
           or (h.id is not null and (h.cycle <> u.cycle or h.state = 'open' or coalesce(h.settled_amount, 0) <> u.plan_tokens))`,
    (r) => `usage ${r.id}: ${r.problem}`,
  ),
];

/** Runs checks in order; a check that throws is itself reported as a problem. */
export async function runChecks(db: Database, checks: ReconcileCheck[]): Promise<ReconcileReport> {
  const problems: ReconcileProblem[] = [];
  for (const c of checks) {
    try {
      problems.push(...(await c.run(db)));
    } catch (e) {
      problems.push({ check: c.name, detail: `check failed: ${(e as Error).message}` });
    }
  }
  return { ok: problems.length === 0, problems };
}

/** Checks every ledger invariant over the whole database. */
export async function reconcileLedger(db: Database): Promise<ReconcileReport> {
  return runChecks(db, ledgerChecks);
}

/**
 * Tokens unaccounted for, summed over wallets: |entries − (available + held)| plus
 * |wallet − its buckets|. Zero on a healthy ledger.
 */
export async function ledgerDrift(db: Database): Promise<bigint> {
  const [r] = await queryRows<{ drift: string }>(
    db,
    sql`select (coalesce(sum(abs(w.available + w.held - coalesce(e.s, 0))), 0)
              + coalesce(sum(abs(w.available - coalesce(b.a, 0)) + abs(w.held - coalesce(b.h, 0))), 0))::text as drift
        from wallet w
        left join (select wallet_id, sum(amount) s from entry group by wallet_id) e on e.wallet_id = w.id
        left join (select wallet_id, sum(available) a, sum(held) h from bucket group by wallet_id) b on b.wallet_id = w.id`,
  );
  return BigInt(r?.drift ?? "0");
}
