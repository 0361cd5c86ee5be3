import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { sqlCheck, type ReconcileCheck } from "@/lib/ledger";

type Row = Record<string, string | number | null>;

export type BillingProblem = { check: string; detail: string };

/**
 * Money trust: every posted charge paid for exactly its grant and its one bill line; a failed
 * charge granted and billed nothing; every bill's total is the sum of its lines; every usage
 * row sits on the bill of its own cycle. Same shape as the ledger's checks, so
 * `npm run ledger:reconcile` runs both.
 */
export const billingChecks: ReconcileCheck[] = [
  sqlCheck<Row>(
    "charge_grant",
    sql`select c.id, c.status, c.grant_tokens::text as want, coalesce(g.got, 0)::text as got, g.wallets
          from carrier_charge c
          left join (select idempotency_key, sum(amount) as got, count(distinct wallet_id) as wallets, min(wallet_id::text) as wallet_id
                     from entry where kind = 'grant' group by idempotency_key) g on g.idempotency_key = c.grant_key
          where (c.status = 'posted' and (coalesce(g.got, 0) <> c.grant_tokens or g.wallet_id <> c.wallet_id::text or g.wallets <> 1))
             or (c.status <> 'posted' and coalesce(g.got, 0) <> 0)`,
    (r) => `charge ${r.id} (${r.status}) should grant ${r.status === "posted" ? r.want : 0}, ledger granted ${r.got}`,
  ),
  sqlCheck<Row>(
    "charge_line",
    sql`select c.id, c.status, c.amount_fen::text as want, coalesce(sum(l.amount_fen), 0)::text as got, count(l.id)::int as n
          from carrier_charge c left join bill_line l on l.charge_id = c.id
          group by c.id, c.status, c.amount_fen, c.bill_id
          having (c.status = 'posted' and (count(l.id) <> 1 or coalesce(sum(l.amount_fen), 0) <> c.amount_fen or bool_or(l.bill_id <> c.bill_id)))
              or (c.status <> 'posted' and count(l.id) <> 0)`,
    (r) => `charge ${r.id} (${r.status}) billed ${r.got} fen in ${r.n} lines, expected ${r.status === "posted" ? r.want : 0}`,
  ),
  sqlCheck<Row>(
    "line_charge",
    sql`select l.id, l.charge_id from bill_line l left join carrier_charge c on c.id = l.charge_id where l.charge_id is not null and (c.id is null or c.status <> 'posted')`,
    (r) => `bill line ${r.id} refers to charge ${r.charge_id} that was not posted`,
  ),
  sqlCheck<Row>(
    "bill_total",
    sql`select b.id, b.cycle, b.total_fen::text as total, coalesce(sum(l.amount_fen), 0)::text as lines
          from bill b left join bill_line l on l.bill_id = b.id
          group by b.id having b.total_fen <> coalesce(sum(l.amount_fen), 0)`,
    (r) => `bill ${r.id} (${r.cycle}) total ${r.total} fen but lines sum to ${r.lines}`,
  ),
  sqlCheck<Row>(
    "usage_bill_cycle",
    sql`select u.id, u.cycle, b.cycle as bill_cycle, h.cycle as hold_cycle
          from usage u join bill b on b.id = u.bill_id join wallet w on w.id = u.wallet_id left join hold h on h.id = u.hold_id
          where b.cycle <> u.cycle or b.user_id <> w.owner_user_id or (h.id is not null and h.cycle <> u.cycle)`,
    (r) => `usage ${r.id} of cycle ${r.cycle} sits on a bill of ${r.bill_cycle} (hold cycle ${r.hold_cycle ?? "-"}) or not on the payer's bill`,
  ),
];

export async function reconcileBilling(db: Database): Promise<{ ok: boolean; problems: BillingProblem[] }> {
  const problems: BillingProblem[] = [];
  for (const c of billingChecks) problems.push(...(await c.run(db)));
  return { ok: problems.length === 0, problems };
}
