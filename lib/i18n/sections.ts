/**
 * Which message namespaces each section sends to the browser. Server components read every
 * namespace (getTranslations); client components only see what their section's provider gives.
 * A section lists what it does not need, so a namespace added for a feature reaches it by default.
 */
const SERVER_ONLY = ["demoBanner", "devSms"];

export const SECTION_MESSAGES = {
  /** Sign-in: the form, the language switch and shared errors. */
  auth: { only: ["auth", "common", "errors"] },
  /** The subscriber's pages. */
  app: { except: [...SERVER_ONLY, "auth", "support"] },
  /** The customer-service console. */
  support: { except: [...SERVER_ONLY, "auth"] },
} as const satisfies Record<string, { only: readonly string[] } | { except: readonly string[] }>;

export type Section = keyof typeof SECTION_MESSAGES;

/** The namespaces of `messages` that `section` sends to the browser. */
export function sectionMessages(messages: Record<string, unknown>, section: Section): Record<string, unknown> {
  const rule: { only?: readonly string[]; except?: readonly string[] } = SECTION_MESSAGES[section];
  return Object.fromEntries(Object.entries(messages).filter(([ns]) => (rule.only ? rule.only.includes(ns) : !rule.except!.includes(ns))));
}
