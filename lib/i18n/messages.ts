import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import type { AppLocale } from "./config";

type Messages = Record<string, unknown>;
const cache = new Map<AppLocale, Messages>();

/**
 * Messages live one namespace a file (lib/i18n/messages/<locale>/<namespace>.json) so each
 * feature owns its own strings; they are merged here, once per process when `reuse` is set (production).
 */
export function loadMessages(locale: AppLocale, { reuse = false }: { reuse?: boolean } = {}): Messages {
  const hit = cache.get(locale);
  if (hit && reuse) return hit;
  const dir = path.join(process.cwd(), "lib", "i18n", "messages", locale);
  const merged: Messages = {};
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith(".json"))
    .sort()) {
    merged[file.replace(/\.json$/, "")] = JSON.parse(readFileSync(path.join(dir, file), "utf8"));
  }
  cache.set(locale, merged);
  return merged;
}
