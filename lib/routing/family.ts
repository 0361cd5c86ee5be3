import { and, eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { familyRoutePreference, wallet } from "@/lib/db/schema";
import { RefreshAheadCache } from "@/lib/core/refresh-ahead";
import { ROUTE_SORTS, type RouteNarrowing, type RouteSort } from "./preferences";

const providerId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9._-]*$/, "a provider id such as deepseek or siliconflow-cn");
const providerList = z.array(providerId).max(64);

/** What a family owner may set: only these providers, never these, and the default order. Empty lists mean "no narrowing". */
export const familyRoutesInput = z
  .object({
    only: providerList,
    ignore: providerList,
    sort: z.enum(ROUTE_SORTS).nullable(),
  })
  .strict();
export type FamilyRoutesInput = z.infer<typeof familyRoutesInput>;

export type FamilyRoutes = { only: string[]; ignore: string[]; sort: RouteSort | null; updatedAt: Date | null };

export type SetFamilyRoutesResult =
  | { ok: true; routes: FamilyRoutes }
  | { ok: false; code: "not_found" | "unknown_provider" | "no_provider_left"; provider?: string };

async function ownedFamilyWalletId(db: Database, ownerUserId: string): Promise<string | null> {
  const [w] = await db
    .select({ id: wallet.id })
    .from(wallet)
    .where(and(eq(wallet.ownerUserId, ownerUserId), eq(wallet.kind, "family")))
    .limit(1);
  return w?.id ?? null;
}

function view(row: { only: string[] | null; ignore: string[] | null; sort: RouteSort | null; updatedAt: Date } | undefined): FamilyRoutes {
  return { only: row?.only ?? [], ignore: row?.ignore ?? [], sort: row?.sort ?? null, updatedAt: row?.updatedAt ?? null };
}

/** The family's route narrowing as its owner sees it; not_found for anyone who owns no family. */
export async function getFamilyRoutes(
  db: Database,
  { ownerUserId }: { ownerUserId: string },
): Promise<{ ok: true; routes: FamilyRoutes } | { ok: false; code: "not_found" }> {
  const walletId = await ownedFamilyWalletId(db, ownerUserId);
  if (!walletId) return { ok: false, code: "not_found" };
  const [row] = await db.select().from(familyRoutePreference).where(eq(familyRoutePreference.walletId, walletId));
  return { ok: true, routes: view(row) };
}

/**
 * The owner narrows how the family's requests are routed. Only the owner of a family wallet can
 * (the wallet is found from the owner, never taken from the input); every provider named must be
 * one the catalog knows, and `only` minus `ignore` must leave at least one, so a typo cannot stop
 * the family's every request.
 */
export async function setFamilyRoutes(
  db: Database,
  { ownerUserId, input, knownProviders, now }: { ownerUserId: string; input: FamilyRoutesInput; knownProviders: ReadonlySet<string>; now: Date },
): Promise<SetFamilyRoutesResult> {
  const walletId = await ownedFamilyWalletId(db, ownerUserId);
  if (!walletId) return { ok: false, code: "not_found" };
  const only = [...new Set(input.only)];
  const ignore = [...new Set(input.ignore)];
  const unknown = [...only, ...ignore].find((p) => !knownProviders.has(p));
  if (unknown) return { ok: false, code: "unknown_provider", provider: unknown };
  if (only.length > 0 && only.every((p) => ignore.includes(p))) return { ok: false, code: "no_provider_left" };
  const values = { only: only.length ? only : null, ignore: ignore.length ? ignore : null, sort: input.sort, updatedBy: ownerUserId, updatedAt: now };
  const [row] = await db
    .insert(familyRoutePreference)
    .values({ walletId, ...values })
    .onConflictDoUpdate({ target: familyRoutePreference.walletId, set: values })
    .returning();
  familyRouteCache().invalidate(walletId);
  return { ok: true, routes: view(row) };
}

/** A paying wallet's route narrowing as a layer (null: none, or not a family wallet). */
export async function familyRouteLayer(db: Database, walletId: string): Promise<RouteNarrowing | null> {
  const [row] = await db
    .select({ only: familyRoutePreference.only, ignore: familyRoutePreference.ignore, sort: familyRoutePreference.sort })
    .from(familyRoutePreference)
    .where(eq(familyRoutePreference.walletId, walletId));
  if (!row) return null;
  const layer: RouteNarrowing = {
    ...(row.only?.length ? { only: row.only } : {}),
    ...(row.ignore?.length ? { ignore: row.ignore } : {}),
    ...(row.sort ? { sort: row.sort } : {}),
  };
  return Object.keys(layer).length ? layer : null;
}

/**
 * The family layer on every request's path, cached per wallet for `ttlMs` (re-read ahead while in
 * use): a change made in this process applies at once, in other instances within the TTL.
 */
export class FamilyRouteCache {
  private readonly cache: RefreshAheadCache<RouteNarrowing | null>;
  constructor(opts: { ttlMs: number } = { ttlMs: 5_000 }) {
    this.cache = new RefreshAheadCache<RouteNarrowing | null>({ ttlMs: opts.ttlMs, maxEntries: 50_000 });
  }
  layer(db: Database, walletId: string): Promise<RouteNarrowing | null> {
    return this.cache.get(walletId, () => familyRouteLayer(db, walletId));
  }
  invalidate(walletId: string): void {
    this.cache.delete(walletId);
  }
}

/** One per process (Next bundles actions and API routes apart): a change the owner saves here reaches both at once. */
const processWide = globalThis as unknown as { __unitokenFamilyRoutes?: FamilyRouteCache };
export function familyRouteCache(): FamilyRouteCache {
  return (processWide.__unitokenFamilyRoutes ??= new FamilyRouteCache());
}
