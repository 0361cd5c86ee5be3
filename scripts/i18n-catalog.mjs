#!/usr/bin/env node
// Writes lib/i18n/catalog.ts: one static import per message file, so the build precompiles them.
//   node scripts/i18n-catalog.mjs   (after adding a namespace file; messages.test.ts checks it)
import { readdirSync, writeFileSync } from "node:fs";

const locales = ["zh-CN", "en"];
const root = "lib/i18n/messages";
const names = readdirSync(`${root}/zh-CN`)
  .filter((f) => f.endsWith(".json"))
  .map((f) => f.slice(0, -5))
  .sort();
const id = (locale, ns) => (locale === "zh-CN" ? "zh" : "en") + ns[0].toUpperCase() + ns.slice(1);
const out = [
  "/**",
  " * Every namespace of both languages, imported statically so the build precompiles each message",
  " * (next-intl's catalog loader, `precompile` in next.config.ts): pages then format messages without",
  " * shipping an ICU parser. Written by `node scripts/i18n-catalog.mjs`; `messages.test.ts` checks it",
  " * against the folder.",
  " */",
];
for (const l of locales) for (const n of names) out.push(`import ${id(l, n)} from "./messages/${l}/${n}.json";`);
out.push("", "export const MESSAGE_CATALOG = {");
for (const l of locales) {
  out.push(l.includes("-") ? `  "${l}": {` : `  ${l}: {`);
  for (const n of names) out.push(`    ${n}: ${id(l, n)},`);
  out.push("  },");
}
out.push("} as const;", "");
writeFileSync("lib/i18n/catalog.ts", out.join("\n"));
