import { existsSync, readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { loadMessages } from "@/lib/i18n/messages";
import { pickMessages, ROUTE_MESSAGES, SECTION_MESSAGES, type Section } from "@/lib/i18n/sections";
import { covers, scanClientMessages } from "@/lib/testing/client-messages";

// Every route's client components get, from the providers above them, every message path they
// translate: the section layout's IntlSection and the route folders' IntlRoute.

const ROOT = path.resolve(import.meta.dirname, "..");
const GROUPS = ["(app)", "(auth)", "(support)"];

type Lists = { sections: Record<string, readonly string[]>; routes: Record<string, readonly string[]> };
const configured: Lists = {
  sections: Object.fromEntries(Object.entries(SECTION_MESSAGES).map(([s, rule]) => [s, rule.only])),
  routes: ROUTE_MESSAGES,
};

const read = (rel: string) => readFileSync(path.join(ROOT, rel), "utf8");
const attr = (rel: string, tag: string, name: string) => [...read(rel).matchAll(new RegExp(`<${tag}\\s+${name}="(\\w+)"`, "g"))].map((m) => m[1]);

type Check = { name: string; entries: string[]; section: string; routes: string[] };
/** The shell of each group alone, then each page with the route layouts above it. */
function checks(): Check[] {
  const out: Check[] = [];
  for (const group of GROUPS) {
    const shell = `app/${group}/layout.tsx`;
    const [section] = attr(shell, "IntlSection", "section");
    expect(section, `${shell} has an IntlSection`).toBeTruthy();
    out.push({ name: shell, entries: [shell], section, routes: [] });
    const pages = (readdirSync(path.join(ROOT, "app", group), { recursive: true }) as string[]).filter((f) => path.basename(f) === "page.tsx");
    for (const page of pages) {
      const dirs = path
        .dirname(page)
        .split(path.sep)
        .filter((d) => d !== ".");
      const layouts = dirs.map((_, i) => `app/${group}/${dirs.slice(0, i + 1).join("/")}/layout.tsx`).filter((l) => existsSync(path.join(ROOT, l)));
      const entry = `app/${group}/${page.split(path.sep).join("/")}`;
      out.push({ name: entry, entries: [entry, ...layouts], section, routes: layouts.flatMap((l) => attr(l, "IntlRoute", "route")) });
    }
  }
  return out;
}
const CHECKS = checks();
const SCANS = new Map(CHECKS.map((c) => [c.name, scanClientMessages(c.entries)]));

/** Every path some check's client code translates that its providers do not send. */
function missing(lists: Lists): string[] {
  return CHECKS.flatMap((c) => {
    const sent = [...lists.sections[c.section], ...c.routes.flatMap((r) => lists.routes[r])];
    return SCANS.get(c.name)!
      .uses.filter((u) => !covers(sent, u.path))
      .map((u) => `${c.name}: ${u.file} translates "${u.path}"`);
  });
}

describe("client messages per route", () => {
  it("finds the client components and what they translate (the walk reaches them)", () => {
    const chat = SCANS.get("app/(app)/chat/page.tsx")!;
    expect(chat.clientFiles).toContain("components/chat/chat-screen.tsx");
    expect(chat.clientFiles).toContain("components/chat/compare-panel.tsx"); // reached through import()
    expect(chat.uses).toContainEqual({ file: "components/chat/chat-screen.tsx", path: "chat.errors" });
    expect(SCANS.get("app/(app)/layout.tsx")!.uses.map((u) => u.path)).toContain("spend.balance");
    expect(SCANS.get("app/(app)/keys/page.tsx")!.uses).toContainEqual({ file: "components/keys/key-list.tsx", path: "keys.errors" });
  });

  it("reads every namespace from a literal, so the walk sees it", () => {
    expect(CHECKS.flatMap((c) => SCANS.get(c.name)!.problems)).toEqual([]);
  });

  it("sends every route every path its client components translate", () => {
    expect(missing(configured)).toEqual([]);
  });

  it("sends nothing a route does not translate: dropping any entry leaves some route without it", () => {
    const base = missing(configured).length;
    const surplus: string[] = [];
    for (const [section, rule] of Object.entries(SECTION_MESSAGES)) {
      for (const p of rule.only) {
        const lists = { ...configured, sections: { ...configured.sections, [section]: rule.only.filter((x) => x !== p) } };
        if (missing(lists).length === base) surplus.push(`section ${section}: ${p}`);
      }
    }
    for (const [route, list] of Object.entries(ROUTE_MESSAGES)) {
      for (const p of list) {
        const lists = { ...configured, routes: { ...configured.routes, [route]: list.filter((x) => x !== p) } };
        if (missing(lists).length === base) surplus.push(`route ${route}: ${p}`);
      }
    }
    expect(surplus).toEqual([]);
  });

  it("gives each route list to a layout, and each route layout a list", () => {
    const used = new Set(CHECKS.flatMap((c) => c.routes));
    expect([...used].sort()).toEqual(Object.keys(ROUTE_MESSAGES).sort());
    expect(new Set(CHECKS.map((c) => c.section))).toEqual(new Set<Section>(["app", "auth", "support"]));
  });

  it("names only paths that exist, in both languages", () => {
    for (const locale of ["zh-CN", "en"] as const) {
      const messages = loadMessages(locale);
      for (const list of [...Object.values(configured.sections), ...Object.values(ROUTE_MESSAGES)]) {
        for (const p of list) expect(Object.keys(pickMessages(messages, [p])), `${locale} ${p}`).not.toHaveLength(0);
      }
    }
  });
});
