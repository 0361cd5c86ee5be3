import { randomBytes } from "node:crypto";
import { and, desc, eq } from "drizzle-orm";
import { queryRows, sql } from "@/lib/db/sql";
import type { Database } from "@/lib/db/types";
import { apiKey, apiKeySpend, type ApiKey } from "@/lib/db/schema";
import { cycleOf } from "@/lib/core/cycle";
import { DomainError } from "@/lib/core/errors";
import { defaultKeyVerifier } from "./verify";
import { ID_HEX, KEY_PREFIX, SECRET_LEN, hashSecret, idToHex } from "./secret";
import type { RouteSort } from "@/lib/routing";

/** A user may hold this many live keys. */
export const MAX_ACTIVE_KEYS = 20;

export type CreateKeyInput = {
  userId: string;
  name: string;
  /** Catalog model ids; null or empty = every model. */
  models?: string[] | null;
  monthlyCapTokens?: bigint | null;
  expiresAt?: Date | null;
  /** How this key's requests order a model's routes; null = the deployment's default. */
  routeSort?: RouteSort | null;
  now: Date;
};

/**
 * Creates a key and returns its full text once; only the secret's hash is stored.
 * Invariant: the returned text is never persisted or recoverable.
 */
export async function createApiKey(db: Database, input: CreateKeyInput): Promise<{ key: ApiKey; text: string }> {
  const name = input.name.trim();
  if (!name || name.length > 60) throw new DomainError("invalid_input", "key name must be 1-60 characters");
  if (input.monthlyCapTokens != null && input.monthlyCapTokens <= 0n) throw new DomainError("invalid_input", "cap must be positive");
  if (input.expiresAt && input.expiresAt.getTime() <= input.now.getTime()) throw new DomainError("invalid_input", "expiry must be in the future");
  const models = input.models && input.models.length > 0 ? [...new Set(input.models)] : null;
  const secret = randomBytes(24).toString("base64url");
  if (secret.length !== SECRET_LEN) throw new Error("unexpected secret length");
  const id = crypto.randomUUID();
  const text = `${KEY_PREFIX}${idToHex(id)}${secret}`;
  if (text.length !== KEY_PREFIX.length + ID_HEX + SECRET_LEN) throw new Error("unexpected key length");
  // One statement: the user's live-key count goes up only while below the limit, and the key is
  // inserted only if it did (the conditional update re-checks the latest count under concurrency).
  const rows = await queryRows<Record<string, unknown>>(
    db,
    sql`WITH slot AS (
          INSERT INTO api_key_quota AS q (user_id, active) VALUES (${input.userId}, 1)
          ON CONFLICT (user_id) DO UPDATE SET active = q.active + 1 WHERE q.active < ${MAX_ACTIVE_KEYS}
          RETURNING q.user_id
        )
        INSERT INTO api_key (id, user_id, name, secret_hash, hint, models, monthly_cap_tokens, expires_at, route_sort, created_at)
        SELECT ${id}::uuid, slot.user_id, ${name}, ${hashSecret(secret)}, ${text.slice(-4)},
               ${models === null ? null : JSON.stringify(models)}::jsonb, ${input.monthlyCapTokens == null ? null : input.monthlyCapTokens.toString()}::bigint,
               ${input.expiresAt ? input.expiresAt.toISOString() : null}::timestamptz, ${input.routeSort ?? null}, ${input.now.toISOString()}::timestamptz
        FROM slot
        RETURNING id`,
  );
  if (rows.length === 0) throw new DomainError("too_many_keys", `at most ${MAX_ACTIVE_KEYS} active keys`);
  const [key] = await db.select().from(apiKey).where(eq(apiKey.id, id));
  return { key: key!, text };
}

export type KeyListItem = {
  id: string;
  name: string;
  /** What the list shows instead of the key: `ut-…abcd`. */
  display: string;
  models: string[] | null;
  monthlyCapTokens: bigint | null;
  expiresAt: Date | null;
  createdAt: Date;
  lastUsedAt: Date | null;
  revokedAt: Date | null;
  /** Plan tokens charged this cycle (settled). */
  usedThisCycle: bigint;
  /** Plan tokens held by requests in flight. */
  heldThisCycle: bigint;
  requestsThisCycle: bigint;
  status: "active" | "revoked" | "expired";
};

/** A user's keys, newest first, with this cycle's usage. Only the owner's keys are returned. */
export async function listApiKeys(db: Database, { userId, now }: { userId: string; now: Date }): Promise<KeyListItem[]> {
  const cycle = cycleOf(now);
  const rows = await db
    .select({ k: apiKey, used: apiKeySpend.used, held: apiKeySpend.held, requests: apiKeySpend.requests })
    .from(apiKey)
    .leftJoin(apiKeySpend, and(eq(apiKeySpend.apiKeyId, apiKey.id), eq(apiKeySpend.cycle, cycle)))
    .where(eq(apiKey.userId, userId))
    .orderBy(desc(apiKey.createdAt));
  return rows.map(({ k, used, held, requests }) => ({
    id: k.id,
    name: k.name,
    display: `${KEY_PREFIX}…${k.hint}`,
    models: k.models,
    monthlyCapTokens: k.monthlyCapTokens,
    expiresAt: k.expiresAt,
    createdAt: k.createdAt,
    lastUsedAt: k.lastUsedAt,
    revokedAt: k.revokedAt,
    usedThisCycle: used ?? 0n,
    heldThisCycle: held ?? 0n,
    requestsThisCycle: requests ?? 0n,
    status: k.revokedAt ? "revoked" : k.expiresAt && k.expiresAt.getTime() <= now.getTime() ? "expired" : "active",
  }));
}

/** Revokes the user's own key (someone else's key id reads as not found). Idempotent. */
export async function revokeApiKey(db: Database, { userId, keyId, now }: { userId: string; keyId: string; now: Date }): Promise<{ revokedAt: Date }> {
  // One statement: the key is revoked (once) and its slot in the user's live-key count returned.
  const [row] = await queryRows<{ revoked_at: Date | string }>(
    db,
    sql`WITH k AS (SELECT id, revoked_at AS was FROM api_key WHERE id = ${keyId}::uuid AND user_id = ${userId}::uuid FOR UPDATE),
        r AS (UPDATE api_key a SET revoked_at = coalesce(a.revoked_at, ${now.toISOString()}::timestamptz) FROM k WHERE a.id = k.id RETURNING a.revoked_at, k.was),
        q AS (UPDATE api_key_quota SET active = active - 1 WHERE user_id = ${userId}::uuid AND active > 0 AND EXISTS (SELECT 1 FROM r WHERE r.was IS NULL) RETURNING 1)
        SELECT revoked_at FROM r`,
  );
  if (!row) throw new DomainError("not_found", "no such key");
  defaultKeyVerifier.invalidate(keyId);
  return { revokedAt: new Date(row.revoked_at) };
}
