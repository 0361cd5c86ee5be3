import type { Database } from "@/lib/db/types";
import { catalogDataset, setCatalogDataset } from "@/lib/catalog";
import { latestCatalogSnapshot, refreshCatalog } from "@/lib/catalog/refresh";
import { describeError } from "@/lib/core/errors";

/**
 * CATALOG_URL: every app instance prices with the newest snapshot in the database; whichever
 * instance finds it older than the refresh interval fetches a new one. Without a usable snapshot
 * the bundled catalog stays. Called at start and then hourly.
 */
export async function syncCatalog(db: Database, { url, refreshHours, now = new Date() }: { url: string; refreshHours: number; now?: Date }): Promise<void> {
  try {
    let snap = await latestCatalogSnapshot(db);
    if (!snap || now.getTime() - snap.fetchedAt.getTime() >= refreshHours * 3_600_000) {
      const r = await refreshCatalog(db, { url, now });
      if (r.ok) console.log(`[catalog] refreshed from CATALOG_URL: ${r.providers} providers, ${r.models} models, ${r.rejected.length} entries refused`);
      else console.warn(`[catalog] refresh failed (${r.code}: ${r.message}); keeping the current catalog`);
      snap = await latestCatalogSnapshot(db);
    }
    const current = catalogDataset();
    if (snap && Object.keys(snap.raw).length > 0 && (current.source === "bundled" || current.id !== snap.id)) setCatalogDataset(snap);
  } catch (e) {
    console.error("[catalog] sync failed", describeError(e));
  }
}
