import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";

export type KeyReserveResult = { ok: true } | { ok: false; code: "key_cap_reached" | "key_revoked" | "key_expired" };

function rowsOf(res: unknown): Record<string, unknown>[] {
  // PGlite and node-postgres/Neon both return { rows }; be tolerant of arrays too.
  if (Array.isArray(res)) return res as Record<string, unknown>[];
  return ((res as { rows?: Record<string, unknown>[] }).rows ?? []) as Record<string, unknown>[];
}

/**
 * Adds `amount` to the key's held spend for `cycle` in one conditional statement: the row is
 * created or bumped only while the key is live (not revoked, not expired) and
 * used + held + amount stays within its monthly cap. Invariant: a key's used + held never
 * exceeds its cap, under any concurrency, and a revoked key can never start a new spend.
 */
export async function reserveKeySpend(
  db: Database,
  { keyId, cycle, amount, now }: { keyId: string; cycle: string; amount: bigint; now: Date },
): Promise<KeyReserveResult> {
  const at = now.toISOString();
  const res = await db.execute(sql`
    WITH k AS (
      SELECT id, monthly_cap_tokens AS cap FROM api_key
      WHERE id = ${keyId} AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ${at}::timestamptz)
    )
    INSERT INTO api_key_spend AS s (api_key_id, cycle, used, held, requests)
    SELECT k.id, ${cycle}, 0, ${amount}::bigint, 1 FROM k WHERE k.cap IS NULL OR ${amount}::bigint <= k.cap
    ON CONFLICT (api_key_id, cycle) DO UPDATE
      SET held = s.held + EXCLUDED.held, requests = s.requests + 1
      WHERE (SELECT cap FROM k) IS NULL OR s.used + s.held + EXCLUDED.held <= (SELECT cap FROM k)
    RETURNING 1 AS ok`);
  if (rowsOf(res).length > 0) return { ok: true };
  // Refused: tell revoked/expired from a full cap (the failure path only, off the hot path).
  const why = rowsOf(
    await db.execute(
      sql`SELECT revoked_at IS NOT NULL AS revoked, expires_at IS NOT NULL AND expires_at <= ${at}::timestamptz AS expired FROM api_key WHERE id = ${keyId}`,
    ),
  )[0];
  if (!why || why.revoked) return { ok: false, code: "key_revoked" };
  if (why.expired) return { ok: false, code: "key_expired" };
  return { ok: false, code: "key_cap_reached" };
}

/**
 * Resolves a key reservation: `held` leaves the held spend, `charged` (≤ held) joins the used
 * spend, and the key's last use is stamped. One statement, so the pair moves together.
 */
export async function settleKeySpend(
  db: Database,
  { keyId, cycle, held, charged, now }: { keyId: string; cycle: string; held: bigint; charged: bigint; now: Date },
): Promise<void> {
  const at = now.toISOString();
  await db.execute(sql`
    WITH s AS (
      UPDATE api_key_spend SET held = greatest(held - ${held}::bigint, 0), used = used + ${charged}::bigint
      WHERE api_key_id = ${keyId} AND cycle = ${cycle}
      RETURNING 1
    )
    UPDATE api_key SET last_used_at = greatest(coalesce(last_used_at, ${at}::timestamptz), ${at}::timestamptz)
    WHERE id = ${keyId} AND ${charged}::bigint > 0`);
}

type Spend = { keyId: string; cycle: string; charged: bigint; requests: bigint; at: Date; waiters: { resolve: () => void; reject: (e: unknown) => void }[] };
type SpendLane = { pending: Map<string, Spend>; flushing: boolean };
const spendLanes = new WeakMap<Database, SpendLane>();

/**
 * Accounts a finished request on a key without a cap (nothing was held for it): adds the charge
 * and the request to this cycle's spend and stamps the key's last use, off the request's path.
 * One lane per database: calls that arrive while a write is in flight are summed per key and
 * cycle into the next write, one statement for all of them, so many parallel streams (on one key
 * or on many) cost a few statements, not one each.
 */
export function recordKeySpend(db: Database, { keyId, cycle, charged, now }: { keyId: string; cycle: string; charged: bigint; now: Date }): Promise<void> {
  let lane = spendLanes.get(db);
  if (!lane) spendLanes.set(db, (lane = { pending: new Map(), flushing: false }));
  const id = `${keyId}|${cycle}`;
  return new Promise<void>((resolve, reject) => {
    let p = lane.pending.get(id);
    if (!p) {
      p = { keyId, cycle, charged: 0n, requests: 0n, at: now, waiters: [] };
      lane.pending.set(id, p);
    }
    p.charged += charged;
    p.requests += 1n;
    if (now > p.at) p.at = now;
    p.waiters.push({ resolve, reject });
    if (!lane.flushing) void flushKeySpend(db, lane);
  });
}

/** Writes the spends of many keys: one upsert per key and cycle, their last use stamped (rows taken in key order). */
async function writeKeySpends(db: Database, spends: Spend[]): Promise<void> {
  const rows = JSON.stringify(
    spends.map((p) => ({ key_id: p.keyId, cycle: p.cycle, used: p.charged.toString(), requests: p.requests.toString(), at: p.at.toISOString() })),
  );
  await db.execute(sql`
    WITH v AS (
      SELECT * FROM jsonb_to_recordset(${rows}::jsonb) AS v(key_id uuid, cycle text, used bigint, requests bigint, at timestamptz)
    ), s AS (
      INSERT INTO api_key_spend AS s (api_key_id, cycle, used, held, requests)
      SELECT key_id, cycle, used, 0, requests FROM v ORDER BY key_id, cycle
      ON CONFLICT (api_key_id, cycle) DO UPDATE SET used = s.used + EXCLUDED.used, requests = s.requests + EXCLUDED.requests
      RETURNING 1
    )
    UPDATE api_key k SET last_used_at = greatest(coalesce(k.last_used_at, m.at), m.at)
    FROM (SELECT key_id, max(at) AS at FROM v WHERE used > 0 GROUP BY key_id) m
    WHERE k.id = m.key_id`);
}

async function flushKeySpend(db: Database, lane: SpendLane): Promise<void> {
  lane.flushing = true;
  try {
    while (lane.pending.size > 0) {
      const batch = [...lane.pending.values()].sort((a, b) => (a.keyId < b.keyId ? -1 : a.keyId > b.keyId ? 1 : a.cycle < b.cycle ? -1 : 1));
      lane.pending = new Map();
      try {
        await writeKeySpends(db, batch);
        for (const p of batch) for (const w of p.waiters) w.resolve();
      } catch (e) {
        if (batch.length === 1) {
          for (const w of batch[0]!.waiters) w.reject(e);
          continue;
        }
        // One key's trouble fails no other: each is written alone.
        await Promise.all(
          batch.map(async (p) => {
            try {
              await writeKeySpends(db, [p]);
              for (const w of p.waiters) w.resolve();
            } catch (err) {
              for (const w of p.waiters) w.reject(err);
            }
          }),
        );
      }
    }
  } finally {
    lane.flushing = false;
  }
}

/**
 * One request's key reservation, resolved exactly once: `reserve` from the pipeline's
 * beforeReserve hook, `settle` from afterSettle, `release` when the request ends without
 * reaching settle (the wallet refused the hold). Later calls are no-ops.
 *
 * A key with a cap reserves in the database (one conditional statement, exact under
 * concurrency, and it re-checks revocation). A key without a cap has nothing to enforce, so
 * nothing is written before the model is called: revocation is then as fresh as the verifier's
 * cache (instant in this process, `ttlMs` elsewhere) and the spend is recorded after settling.
 */
export class KeySpendHold {
  private state: "idle" | "held" | "done" = "idle";
  private amount = 0n;
  constructor(
    private readonly db: Database,
    private readonly p: { keyId: string; cycle: string; now: () => Date; capped: boolean },
  ) {}

  async reserve(amount: bigint): Promise<KeyReserveResult> {
    if (this.state !== "idle") throw new Error("key spend reserved twice");
    if (!this.p.capped) {
      this.state = "held";
      this.amount = amount;
      return { ok: true };
    }
    const r = await reserveKeySpend(this.db, { keyId: this.p.keyId, cycle: this.p.cycle, amount, now: this.p.now() });
    if (r.ok) {
      this.state = "held";
      this.amount = amount;
    } else {
      this.state = "done";
    }
    return r;
  }

  async settle(charged: bigint, held?: bigint): Promise<void> {
    if (this.state !== "held") return;
    this.state = "done";
    const h = held ?? this.amount;
    if (!this.p.capped) {
      // A request the wallet refused (release) is not counted for an uncapped key.
      if (charged > 0n || held !== undefined)
        await recordKeySpend(this.db, { keyId: this.p.keyId, cycle: this.p.cycle, charged: charged < 0n ? 0n : charged, now: this.p.now() });
      return;
    }
    await settleKeySpend(this.db, { keyId: this.p.keyId, cycle: this.p.cycle, held: h, charged: charged < 0n ? 0n : charged, now: this.p.now() });
  }

  async release(): Promise<void> {
    await this.settle(0n);
  }

  get isOpen(): boolean {
    return this.state === "held";
  }
}
