/**
 * Which messages each part of the app sends to the browser. Server components read every namespace
 * (getTranslations); client components only see what their providers give. Entries are message
 * paths: a whole namespace ("common") or one part of it ("spend.balance").
 * `app/client-messages.test.ts` walks each route's client components and checks these lists give
 * every path they translate, and nothing they do not.
 */
export const SECTION_MESSAGES = {
  /** Sign-in: the form, the language switch and shared errors. */
  auth: { only: ["auth", "common", "errors"] },
  /** The subscriber's shell: navigation, language switch, balance badge and sheet, invitations. Each route adds its own (ROUTE_MESSAGES). */
  app: { only: ["common", "family.invitations", "spend.balance"] },
  /** The customer-service console: its own screens and the dispute queue's. */
  support: { only: ["common", "disputes.errors", "disputes.queue", "errors", "support"] },
} as const satisfies Record<string, { only: readonly string[] }>;

export type Section = keyof typeof SECTION_MESSAGES;

/** What a conversation sends: the composer, replies, receipts, branches, disputes, assistants. */
const CONVERSATION = [
  "attachments",
  "chat",
  "chatBranch",
  "chatLive",
  "chatTools.assistants",
  "chatTools.search",
  "chatTools.share",
  "disputes",
  "errors",
  "family.errors",
  "family.requests",
  "family.rules",
  "plans.safetyNet",
  "spend.confirm",
  "spend.quote",
  "spend.receipt",
] as const;

/** What each route folder of the subscriber's pages adds to the shell's messages (its layout's IntlRoute). */
export const ROUTE_MESSAGES = {
  assistants: CONVERSATION,
  chat: CONVERSATION,
  family: [
    "errors",
    "family.cap",
    "family.errors",
    "family.invite",
    "family.member",
    "family.members",
    "family.paying",
    "family.pending",
    "family.remove",
    "family.requests",
    "family.rules",
    "family.usage",
    "familyRoutes",
    "plans.errors",
    "plans.safetyNet",
  ],
  keys: ["errors", "keys"],
  models: ["models"],
  plans: ["errors", "plans"],
  settings: ["errors", "settings", "spend.errors", "spend.threshold"],
} as const satisfies Record<string, readonly string[]>;

export type RouteMessages = keyof typeof ROUTE_MESSAGES;

type Messages = Record<string, unknown>;
const isTree = (v: unknown): v is Messages => typeof v === "object" && v !== null && !Array.isArray(v);

/** The parts of `messages` at `paths` ("ns" or "ns.part"), in their places. */
export function pickMessages(messages: Messages, paths: readonly string[]): Messages {
  const out: Messages = {};
  for (const p of paths) {
    const keys = p.split(".");
    let from: unknown = messages;
    for (const k of keys) from = isTree(from) ? from[k] : undefined;
    if (from === undefined) continue;
    let to = out;
    for (const k of keys.slice(0, -1)) to = (to[k] = isTree(to[k]) ? to[k] : {}) as Messages;
    to[keys[keys.length - 1]] = from;
  }
  return out;
}

/** `outer` with `inner` laid over it, namespace by namespace (a message is a string or an array: never merged into). */
export function mergeMessages(outer: Messages, inner: Messages): Messages {
  const out: Messages = { ...outer };
  for (const [k, v] of Object.entries(inner)) out[k] = isTree(v) && isTree(out[k]) ? mergeMessages(out[k], v) : v;
  return out;
}

/** The messages that `section` sends to the browser. */
export function sectionMessages(messages: Messages, section: Section): Messages {
  return pickMessages(messages, SECTION_MESSAGES[section].only);
}
