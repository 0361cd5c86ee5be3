import type { AppLocale } from "./config";
import { MESSAGE_CATALOG } from "./catalog";

type Messages = Record<string, unknown>;

/**
 * Messages live one namespace a file (lib/i18n/messages/<locale>/<namespace>.json) so each
 * feature owns its own strings; `catalog.ts` imports them all. In the app build every message is
 * precompiled (next.config.ts); under vitest they are the JSON as written.
 */
export function loadMessages(locale: AppLocale): Messages {
  return MESSAGE_CATALOG[locale];
}
