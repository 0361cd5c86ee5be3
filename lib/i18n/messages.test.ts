import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { locales } from "./config";
import { loadMessages } from "./messages";

function keys(obj: unknown, prefix = ""): string[] {
  if (typeof obj !== "object" || obj === null) return [prefix];
  return Object.entries(obj).flatMap(([k, v]) => keys(v, prefix ? `${prefix}.${k}` : k));
}

describe("messages", () => {
  it("has the same keys in Chinese and English", () => {
    const zh = keys(loadMessages("zh-CN")).sort();
    const en = keys(loadMessages("en")).sort();
    expect(en.filter((k) => !zh.includes(k))).toEqual([]);
    expect(zh.filter((k) => !en.includes(k))).toEqual([]);
  });

  it("loads every namespace file of each language (after adding a file: node scripts/i18n-catalog.mjs)", () => {
    for (const locale of locales) {
      const dir = path.join("lib", "i18n", "messages", locale);
      const files = readdirSync(dir).filter((f) => f.endsWith(".json"));
      const fromFiles = Object.fromEntries(files.map((f) => [f.replace(/\.json$/, ""), JSON.parse(readFileSync(path.join(dir, f), "utf8"))]));
      expect(loadMessages(locale)).toEqual(fromFiles);
    }
  });
});
