import { eq, inArray } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { apiKey } from "@/lib/db/schema";
import { RefreshAheadCache } from "@/lib/core/refresh-ahead";
import { parseKey, sameSecret, secretMatches } from "./secret";

/** What a verified key grants: who pays, which models, what cap. */
export type KeyAuth = {
  keyId: string;
  userId: string;
  models: ReadonlySet<string> | null;
  monthlyCapTokens: bigint | null;
  expiresAt: Date | null;
  /** How this key's requests order a model's routes (null: the deployment's default). */
  routeSort: "price" | "latency" | "throughput" | "balanced" | null;
};

export type VerifyResult = { ok: true; key: KeyAuth } | { ok: false; code: "invalid_api_key" | "key_revoked" | "key_expired" };

/**
 * A cached key row. `proven` is the secret that last matched `secretHash` while this row was
 * cached: the same secret again is compared in constant time without hashing (a hash per
 * request sat on every reply's time to first token); any other secret is hashed and checked.
 * A re-read row starts unproven, and is proven without a hash only by the secret proven against
 * the same stored hash before (a changed hash is checked afresh).
 */
type Row = KeyAuth & { secretHash: string; revoked: boolean; proven?: string };

/**
 * Key verification with an in-process cache, because authentication sits on the time-to-first-token
 * path. A key's row is never used older than `ttlMs` and is re-read in the background while it is
 * still fresh, so a key in steady use never waits for the database. A revoke in this process
 * drops the entry at once; other processes see it within `ttlMs`. A capped key's reservation
 * (lib/apikeys/spend.ts) also re-checks `revoked_at` in the database atomically, so a capped key
 * cannot start a spend after its revoke commits, whatever the cache says.
 */
export class KeyVerifier {
  private readonly cache: RefreshAheadCache<Row | null>;
  /** The secret last proven against each key's hash: a re-read row with the same hash needs no new hash. */
  private readonly proofs = new Map<string, { secretHash: string; secret: string }>();
  private readonly maxProofs: number;
  constructor(opts: { ttlMs: number; maxEntries?: number } = { ttlMs: 5_000 }) {
    this.cache = new RefreshAheadCache<Row | null>({ ttlMs: opts.ttlMs, maxEntries: opts.maxEntries, keep: (r) => r !== null });
    this.maxProofs = opts.maxEntries ?? 10_000;
  }

  invalidate(keyId: string): void {
    this.cache.delete(keyId);
    this.proofs.delete(keyId);
  }

  clear(): void {
    this.cache.clear();
    this.proofs.clear();
  }

  private readonly columns = {
    id: apiKey.id,
    userId: apiKey.userId,
    secretHash: apiKey.secretHash,
    models: apiKey.models,
    cap: apiKey.monthlyCapTokens,
    expiresAt: apiKey.expiresAt,
    routeSort: apiKey.routeSort,
    revokedAt: apiKey.revokedAt,
  };

  private toRow(row: {
    id: string;
    userId: string;
    secretHash: string;
    models: string[] | null;
    cap: bigint | null;
    expiresAt: Date | null;
    routeSort: KeyAuth["routeSort"];
    revokedAt: Date | null;
  }): Row {
    return {
      keyId: row.id,
      userId: row.userId,
      secretHash: row.secretHash,
      models: row.models && row.models.length > 0 ? new Set(row.models) : null,
      monthlyCapTokens: row.cap,
      expiresAt: row.expiresAt,
      routeSort: row.routeSort,
      revoked: row.revokedAt != null,
    };
  }

  private async load(db: Database, id: string): Promise<Row | null> {
    const [row] = await db.select(this.columns).from(apiKey).where(eq(apiKey.id, id));
    return row ? this.toRow(row) : null;
  }

  /** Many keys' rows in one query (the background reloads of one turn); a key with no row is null. */
  private async loadMany(db: Database, ids: string[]): Promise<Map<string, Row | null>> {
    const rows = await db.select(this.columns).from(apiKey).where(inArray(apiKey.id, ids));
    const found = new Map<string, Row | null>(ids.map((id) => [id, null]));
    for (const r of rows) found.set(r.id, this.toRow(r));
    return found;
  }

  async verify(db: Database, { text, now }: { text: string; now: Date }): Promise<VerifyResult> {
    const parsed = parseKey(text);
    if (!parsed) return { ok: false, code: "invalid_api_key" };
    return this.check(await this.cache.get(parsed.id, ...this.loaders(db, parsed.id)), parsed.secret, now);
  }

  /** verify's answer when the key's row is cached and fresh, without waiting a turn; else undefined (call verify). */
  verifyCached(db: Database, { text, now }: { text: string; now: Date }): VerifyResult | undefined {
    const parsed = parseKey(text);
    if (!parsed) return { ok: false, code: "invalid_api_key" };
    const hit = this.cache.peek(parsed.id, ...this.loaders(db, parsed.id));
    return hit && this.check(hit.value, parsed.secret, now);
  }

  private loaders(db: Database, id: string): [() => Promise<Row | null>, (ids: string[]) => Promise<Map<string, Row | null>>] {
    return [() => this.load(db, id), (ids) => this.loadMany(db, ids)];
  }

  private check(row: Row | null, secret: string, now: Date): VerifyResult {
    if (!row) return { ok: false, code: "invalid_api_key" };
    // The cache is keyed by id only: the secret is checked on every request (see Row).
    if (row.proven === undefined || !sameSecret(row.proven, secret)) {
      // A re-read row with the same hash keeps what the row before it proved; any other secret, or a new hash, is hashed and checked.
      const before = this.proofs.get(row.keyId);
      if (before !== undefined && before.secretHash === row.secretHash && sameSecret(before.secret, secret)) row.proven = secret;
      else {
        if (!secretMatches(secret, row.secretHash)) return { ok: false, code: "invalid_api_key" };
        row.proven = secret;
        if (this.proofs.size >= this.maxProofs) this.proofs.clear();
        this.proofs.set(row.keyId, { secretHash: row.secretHash, secret });
      }
    }
    if (row.revoked) return { ok: false, code: "key_revoked" };
    if (row.expiresAt && row.expiresAt.getTime() <= now.getTime()) return { ok: false, code: "key_expired" };
    const { keyId, userId, models, monthlyCapTokens, expiresAt, routeSort } = row;
    return { ok: true, key: { keyId, userId, models, monthlyCapTokens, expiresAt, routeSort } };
  }
}

/**
 * The process-wide verifier the API routes use; revokeApiKey invalidates it. One per process:
 * Next bundles server actions and route handlers separately, so a module-level instance would
 * exist twice and a revoke in /keys would not reach /api/v1's cache;
 * keeping it on globalThis makes "revoked in this process" take effect at once.
 */
const processWide = globalThis as unknown as { __unitokenKeyVerifier?: KeyVerifier };
export const defaultKeyVerifier = (processWide.__unitokenKeyVerifier ??= new KeyVerifier({ ttlMs: 5_000 }));
