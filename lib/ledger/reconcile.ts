import type { Database } from "@/lib/db/types";
import { queryRows, sql } from "@/lib/db/sql";
import type { SQL } from "drizzle-orm";

export type ReconcileProblem = { check: string; detail: string };
/** One invariant over the whole database; returns a problem per difference found. */
export type ReconcileCheck = { name: string; run: (db: Database) => Promise<ReconcileProblem[]> };
/** Problems fail the reconcile; notices are listed for people to look at (they may be legitimate). */
export type ReconcileReport = { ok: boolean; problems: ReconcileProblem[]; notices: ReconcileProblem[] };

/** A check from a query whose every row is a difference; `detail` formats a row. */
export function sqlCheck<T extends Record<string, unknown>>(name: string, query: SQL, detail: (row: T) => string): ReconcileCheck {
  return { name, run: async (db) => (await queryRows<T>(db, query)).map((r) => ({ check: name, detail: detail(r) })) };
}

const holdParts = sql`
  select h.id as hold_id, h.wallet_id, (p->>'bucketId')::uuid as bucket_id, (p->>'amount')::bigint as amount
  from hold h cross join lateral jsonb_array_elements(h.split) p
  where h.state = 'open'`;

/** Every ledger invariant (lib/ledger/README.md). */
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
    // A hold's charge is its resolution's plus any late charge (a settle after someone else resolved it).
    sql`select h.id, (coalesce(h.settled_amount, 0) + h.late_charged)::text as settled, coalesce(-e.s, 0)::text as charged
        from hold h left join (select hold_id, sum(amount) s from entry where kind = 'settle' group by hold_id) e on e.hold_id = h.id
        where (h.state <> 'open' and coalesce(h.settled_amount, 0) + h.late_charged <> coalesce(-e.s, 0))
           or (h.state = 'open' and (h.late_charged <> 0 or coalesce(e.s, 0) <> 0))`,
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
          when h.id is not null and coalesce(h.settled_amount, 0) + h.late_charged <> u.plan_tokens then 'plan tokens ' || u.plan_tokens || ' but hold charged ' || (coalesce(h.settled_amount, 0) + h.late_charged)
        end as problem
        from usage u join wallet w on w.id = u.wallet_id left join bill b on b.id = u.bill_id left join hold h on h.id = u.hold_id
        where b.id is null or b.cycle <> u.cycle or b.user_id <> w.owner_user_id or u.cycle !~ '^[0-9]{4}-[0-9]{2}$'
           or u.weight_in_micro < 0 or u.weight_out_micro < 0
           or (h.id is not null and (h.cycle <> u.cycle or h.state = 'open' or coalesce(h.settled_amount, 0) + h.late_charged <> u.plan_tokens))`,
    (r) => `usage ${r.id}: ${r.problem}`,
  ),
  sqlCheck<{ id: string; state: string; recorded: string }>(
    "recorded_output_has_usage",
    // A stream that recorded progress produced output someone pays the provider for: however
    // its hold was resolved (its own settle, the sweeper, support), a usage row shows it.
    sql`select h.id, h.state, h.recorded_amount::text as recorded
        from hold h
        where h.state <> 'open' and coalesce(h.recorded_amount, 0) > 0
          and not exists (select 1 from usage u where u.hold_id = h.id)`,
    (r) => `hold ${r.id} (${r.state}) recorded ${r.recorded} tokens of progress but has no usage row`,
  ),
  sqlCheck<{ id: string; state: string; charged: string; recorded: string }>(
    "charged_covers_recorded",
    // Nothing a stream recorded goes unpaid: what its hold charged (plus any recorded shortfall)
    // is at least the charge computed from its last progress note — unless the provider's own
    // usage report (which supersedes our count) settled it, or the request ended in an error that
    // by the rules costs nothing (the upstream failed before output, or our own side failed
    // before delivering anything: status 'error', nothing charged).
    sql`select h.id, h.state, (coalesce(h.settled_amount, 0) + h.late_charged)::text as charged, h.recorded_amount::text as recorded
        from hold h
        where h.state <> 'open' and coalesce(h.settled_amount, 0) + h.late_charged + h.shortfall < coalesce(h.recorded_amount, 0)
          and not exists (select 1 from usage u where u.hold_id = h.id
                          and (u.usage_source = 'provider' or (u.status = 'error' and u.usage_source = 'none')))`,
    (r) => `hold ${r.id} (${r.state}) charged ${r.charged} but its stream recorded ${r.recorded}`,
  ),
  sqlCheck<{ id: string; problem: string }>(
    "carryover_matches_expired_allowance",
    // 结转 carries once and never more than was left: each carryover bucket names the wallet and
    // cycle it came from (source carryover:<wallet>:<cycle>), is the only one from them, lands in
    // the cycle after, expires when that cycle ends, and equals what that cycle's allowance
    // buckets had available when they expired.
    sql`with c as (
          select b.id, b.granted, b.cycle, b.expires_at, split_part(b.source, ':', 2) as from_wallet, split_part(b.source, ':', 3) as from_cycle
          from bucket b where b.kind = 'carryover'
        ), left_at_expiry as (
          select c.id, coalesce((select sum(-e.amount) from bucket a join entry e on e.bucket_id = a.id and e.kind = 'expire' and e.idempotency_key = 'expire:' || a.id::text
                                  where a.wallet_id::text = c.from_wallet and a.kind = 'allowance' and a.cycle = c.from_cycle), 0) as n
          from c
        )
        select c.id, case
          when c.from_cycle !~ '^[0-9]{4}-[0-9]{2}$' or c.cycle is null then 'source ' || c.from_wallet || ':' || c.from_cycle || ' is not a wallet and cycle'
          when (select count(*) from c c2 where c2.from_wallet = c.from_wallet and c2.from_cycle = c.from_cycle) > 1 then 'carried more than once from ' || c.from_cycle
          when to_char((to_date(c.from_cycle || '-01', 'YYYY-MM-DD') + interval '1 month'), 'YYYY-MM') <> c.cycle then 'carried from ' || c.from_cycle || ' into ' || c.cycle
          when c.expires_at <> ((to_date(c.cycle || '-01', 'YYYY-MM-DD') + interval '1 month')::timestamp at time zone 'Asia/Shanghai') then 'expires at ' || c.expires_at::text
          when c.granted <> l.n then 'granted ' || c.granted || ' but ' || l.n || ' was left when the allowance expired'
        end as problem
        from c join left_at_expiry l on l.id = c.id
        where c.from_cycle !~ '^[0-9]{4}-[0-9]{2}$' or c.cycle is null
           or (select count(*) from c c2 where c2.from_wallet = c.from_wallet and c2.from_cycle = c.from_cycle) > 1
           or to_char((to_date(c.from_cycle || '-01', 'YYYY-MM-DD') + interval '1 month'), 'YYYY-MM') <> c.cycle
           or c.expires_at <> ((to_date(c.cycle || '-01', 'YYYY-MM-DD') + interval '1 month')::timestamp at time zone 'Asia/Shanghai')
           or c.granted <> l.n`,
    (r) => `carryover bucket ${r.id}: ${r.problem}`,
  ),
];

/** Listed, not failed: usage the provider did not report (counted) or reported as zero, and unpaid late charges. */
export const ledgerNotices: ReconcileCheck[] = [
  sqlCheck<{ provider_route: string; model_id: string; n: string; sample: string }>(
    "usage_not_reported",
    sql`select u.provider_route, u.model_id, count(*)::text as n, min(u.id::text) as sample
        from usage u where u.usage_source = 'counted' group by 1, 2 order by 3 desc`,
    (r) => `${r.n} usage rows of ${r.model_id} via ${r.provider_route} were counted (no usage reported), e.g. ${r.sample}`,
  ),
  sqlCheck<{ provider_route: string; model_id: string; n: string; sample: string }>(
    "usage_reported_zero",
    sql`select u.provider_route, u.model_id, count(*)::text as n, min(u.id::text) as sample
        from usage u where u.usage_source = 'provider' and u.tokens_in = 0 and u.tokens_out = 0 group by 1, 2 order by 3 desc`,
    (r) => `${r.n} usage rows of ${r.model_id} via ${r.provider_route} were reported as zero tokens, e.g. ${r.sample}`,
  ),
  sqlCheck<{ id: string; wallet_id: string; shortfall: string }>(
    "late_charge_shortfall",
    sql`select h.id, h.wallet_id, h.shortfall::text from hold h where h.shortfall > 0 order by h.resolved_at`,
    (r) => `hold ${r.id} of wallet ${r.wallet_id}: ${r.shortfall} tokens produced after it was resolved could not be charged`,
  ),
];

/** Runs checks in order; a check that throws is itself reported as a problem. */
export async function runChecks(db: Database, checks: ReconcileCheck[], noticeChecks: ReconcileCheck[] = []): Promise<ReconcileReport> {
  const run = async (list: ReconcileCheck[]) => {
    const out: ReconcileProblem[] = [];
    for (const c of list) {
      try {
        out.push(...(await c.run(db)));
      } catch (e) {
        out.push({ check: c.name, detail: `check failed: ${(e as Error).message}` });
      }
    }
    return out;
  };
  const problems = await run(checks);
  const notices = await run(noticeChecks);
  return { ok: problems.length === 0, problems, notices };
}

/** Checks every ledger invariant over the whole database, and lists what people should look at. */
export async function reconcileLedger(db: Database): Promise<ReconcileReport> {
  return runChecks(db, ledgerChecks, ledgerNotices);
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
