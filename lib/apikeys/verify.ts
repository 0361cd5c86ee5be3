import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { apiKey } from "@/lib/db/schema";
import { parseKey, secretMatches } from "./secret";

/** What a verified key grants: who pays, which models, what cap. */
export type KeyAuth = {
  keyId: string;
  userId: string;
  models: ReadonlySet<string> | null;
  monthlyCapTokens: bigint | null;
  expiresAt: Date | null;
};

export type VerifyResult = { ok: true; key: KeyAuth } | { ok: false; code: "invalid_api_key" | "key_revoked" | "key_expired" };

type Entry = { row: KeyAuth & { secretHash: string; revoked: boolean }; fetchedAt: number };

/**
 * Key verification with an in-process cache, because authentication sits on the time-to-first-token
 * path. The cache is only an accelerator: a revoke in this process drops the entry at once, other
 * processes see it within `ttlMs`, and spending is refused regardless, because the key's
 * reservation statement (lib/apikeys/spend.ts) re-checks `revoked_at` in the database atomically.
 */
export class KeyVerifier {
  private readonly cache = new Map<string, Entry>();
  constructor(private readonly opts: { ttlMs: number; maxEntries?: number } = { ttlMs: 5_000 }) {}

  invalidate(keyId: string): void {
    this.cache.delete(keyId);
  }

  clear(): void {
    this.cache.clear();
  }

  async verify(db: Database, { text, now }: { text: string; now: Date }): Promise<VerifyResult> {
    const parsed = parseKey(text);
    if (!parsed) return { ok: false, code: "invalid_api_key" };
    const clock = Date.now();
    let e = this.cache.get(parsed.id);
    if (!e || clock - e.fetchedAt > this.opts.ttlMs) {
      const [row] = await db
        .select({
          id: apiKey.id,
          userId: apiKey.userId,
          secretHash: apiKey.secretHash,
          models: apiKey.models,
          cap: apiKey.monthlyCapTokens,
          expiresAt: apiKey.expiresAt,
          revokedAt: apiKey.revokedAt,
        })
        .from(apiKey)
        .where(eq(apiKey.id, parsed.id));
      if (!row) {
        this.cache.delete(parsed.id);
        return { ok: false, code: "invalid_api_key" };
      }
      e = {
        row: {
          keyId: row.id,
          userId: row.userId,
          secretHash: row.secretHash,
          models: row.models && row.models.length > 0 ? new Set(row.models) : null,
          monthlyCapTokens: row.cap,
          expiresAt: row.expiresAt,
          revoked: row.revokedAt != null,
        },
        fetchedAt: clock,
      };
      if (this.cache.size >= (this.opts.maxEntries ?? 10_000)) this.cache.clear();
      this.cache.set(parsed.id, e);
    }
    // The hash check runs on every request (cached or not): the cache is keyed by id only.
    if (!secretMatches(parsed.secret, e.row.secretHash)) return { ok: false, code: "invalid_api_key" };
    if (e.row.revoked) return { ok: false, code: "key_revoked" };
    if (e.row.expiresAt && e.row.expiresAt.getTime() <= now.getTime()) return { ok: false, code: "key_expired" };
    const { secretHash: _h, revoked: _r, ...key } = e.row;
    return { ok: true, key };
  }
}

/** The process-wide verifier the API routes use; revokeApiKey invalidates it. */
/**
 * One verifier per process. Next bundles server actions and route handlers separately, so a
 * module-level instance would exist twice and a revoke in /keys would not reach /api/v1's cache;
 * keeping it on globalThis makes "revoked in this process" take effect at once.
 */
const processWide = globalThis as unknown as { __unitokenKeyVerifier?: KeyVerifier };
export const defaultKeyVerifier = (processWide.__unitokenKeyVerifier ??= new KeyVerifier({ ttlMs: 5_000 }));
