import { desc } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { catalogSnapshot } from "@/lib/db/schema";
import type { RawCatalog, RawModel, RawProvider } from "./build";

/*
 * CATALOG_URL: a models.dev-format catalog (`{ [provider]: { id, name, api, npm, env, models } }`)
 * fetched daily into the database. Each provider and each model is validated on its own: a
 * malformed entry is refused and logged, the rest kept. The newest snapshot replaces the bundled
 * one in every app instance; the operator overrides still apply on top.
 */

const finite = z.number().finite().min(0).max(1_000_000);
const rawModel = z.object({
  id: z.string().min(1).max(200),
  name: z.string().min(1).max(300),
  attachment: z.boolean().optional(),
  reasoning: z.boolean().optional(),
  temperature: z.boolean().optional(),
  tool_call: z.boolean().optional(),
  knowledge: z.string().max(40).optional(),
  release_date: z.string().max(40).optional(),
  last_updated: z.string().max(40).optional(),
  modalities: z.object({ input: z.array(z.string().max(40)).max(20).optional(), output: z.array(z.string().max(40)).max(20).optional() }).optional(),
  open_weights: z.boolean().optional(),
  cost: z.object({ input: finite.optional(), output: finite.optional(), cache_read: finite.optional(), cache_write: finite.optional() }).optional(),
  limit: z.object({ context: z.number().int().min(0).optional(), output: z.number().int().min(0).optional() }).optional(),
});
const rawProviderHead = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
  name: z.string().min(1).max(200),
  api: z.string().url().optional(),
  npm: z.string().max(200).optional(),
  doc: z.string().max(500).optional(),
  env: z
    .array(z.string().regex(/^[A-Z][A-Z0-9_]*$/))
    .max(10)
    .optional(),
  models: z.record(z.string(), z.unknown()),
});

export type Rejected = { path: string; reason: string };

function reason(e: z.ZodError): string {
  const i = e.issues[0];
  return i ? `${i.path.join(".") || "(entry)"}: ${i.message}` : "invalid";
}

/** Validates a fetched catalog entry by entry: what passes, and where and why the rest did not. */
export function validateCatalog(input: unknown): { raw: RawCatalog; rejected: Rejected[]; models: number } {
  const rejected: Rejected[] = [];
  const raw: RawCatalog = {};
  let models = 0;
  if (!input || typeof input !== "object" || Array.isArray(input)) return { raw, rejected: [{ path: "", reason: "not an object" }], models };
  for (const [pid, pv] of Object.entries(input as Record<string, unknown>)) {
    const head = rawProviderHead.safeParse(pv);
    if (!head.success) {
      rejected.push({ path: pid, reason: reason(head.error) });
      continue;
    }
    if (head.data.id !== pid) {
      rejected.push({ path: pid, reason: `id "${head.data.id}" differs from its key` });
      continue;
    }
    const kept: Record<string, RawModel> = {};
    for (const [mid, mv] of Object.entries(head.data.models)) {
      const m = rawModel.safeParse(mv);
      if (!m.success) rejected.push({ path: `${pid}/${mid}`, reason: reason(m.error) });
      else kept[mid] = m.data;
    }
    if (Object.keys(kept).length === 0) continue;
    const p: RawProvider = { ...head.data, models: kept };
    raw[pid] = p;
    models += Object.keys(kept).length;
  }
  return { raw, rejected, models };
}

export type RefreshResult =
  | { ok: true; id: string; providers: number; models: number; rejected: Rejected[] }
  | { ok: false; code: "fetch_failed" | "invalid_catalog"; message: string };

/**
 * Fetches CATALOG_URL, validates it and stores it as the newest snapshot. A catalog that cannot
 * be fetched or keeps nothing changes nothing (the previous snapshot, else the bundled one, stays).
 */
export async function refreshCatalog(
  db: Database,
  {
    url,
    now = new Date(),
    timeoutMs = 20_000,
    minModels = 1,
    log = console,
  }: { url: string; now?: Date; timeoutMs?: number; minModels?: number; log?: Pick<Console, "warn"> },
): Promise<RefreshResult> {
  let body: unknown;
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), headers: { accept: "application/json" } });
    if (!res.ok) return { ok: false, code: "fetch_failed", message: `HTTP ${res.status}` };
    body = await res.json();
  } catch (e) {
    return { ok: false, code: "fetch_failed", message: (e as Error).name === "SyntaxError" ? "not JSON" : (e as Error).message };
  }
  const v = validateCatalog(body);
  for (const r of v.rejected) log.warn(`[catalog] refused ${r.path}: ${r.reason}`);
  if (v.models < minModels) return { ok: false, code: "invalid_catalog", message: `${v.models} valid models` };
  const [row] = await db
    .insert(catalogSnapshot)
    .values({
      sourceUrl: url,
      fetchedAt: now,
      data: v.raw as Record<string, unknown>,
      providers: Object.keys(v.raw).length,
      models: v.models,
      rejected: v.rejected,
    })
    .returning({ id: catalogSnapshot.id });
  return { ok: true, id: row!.id, providers: Object.keys(v.raw).length, models: v.models, rejected: v.rejected };
}

/** The newest stored snapshot (validated again: a row is only as good as what it holds now). */
export async function latestCatalogSnapshot(db: Database): Promise<{ id: string; fetchedAt: Date; raw: RawCatalog } | null> {
  const [row] = await db
    .select({ id: catalogSnapshot.id, fetchedAt: catalogSnapshot.fetchedAt, data: catalogSnapshot.data })
    .from(catalogSnapshot)
    .orderBy(desc(catalogSnapshot.fetchedAt))
    .limit(1);
  if (!row) return null;
  return { id: row.id, fetchedAt: row.fetchedAt, raw: validateCatalog(row.data).raw };
}
