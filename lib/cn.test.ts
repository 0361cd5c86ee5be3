import { readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { twMerge } from "tailwind-merge";
import { describe, expect, it } from "vitest";
import { cn, mergeClasses } from "./cn";

/** Every class-like word in the source's string literals (components and app). */
function sourceClasses(): string[] {
  const words = new Set<string>();
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (p.endsWith(".tsx")) {
        const src = readFileSync(p, "utf8");
        for (const m of src.matchAll(/"([^"\n]*)"|`([^`\n]*)`/g)) {
          for (const w of (m[1] ?? m[2] ?? "").split(/\s+/)) {
            if (/^[a-z0-9!-][a-z0-9!:[\]/.%&_>()#*,=+-]*$/.test(w) && (w.includes("-") || w.includes(":")) && !w.includes("${")) words.add(w);
          }
        }
      }
    }
  };
  walk("components");
  walk("app");
  return [...words];
}

describe("cn", () => {
  it("lets a later utility of the same kind win, per variant", () => {
    expect(cn("h-10 px-4 text-sm", "h-8 px-3 text-xs")).toBe("h-8 px-3 text-xs");
    expect(cn("text-sm text-slate-500", "text-brand-600")).toBe("text-sm text-brand-600");
    expect(cn("p-4", "px-2")).toBe("p-4 px-2");
    expect(cn("px-2", "p-4")).toBe("p-4");
    expect(cn("hover:bg-slate-50 bg-white", "bg-slate-50")).toBe("hover:bg-slate-50 bg-slate-50");
    expect(cn("size-10", "h-8")).toBe("size-10 h-8");
    expect(cn("w-4 h-4", "size-6")).toBe("size-6");
    expect(cn("my-class", false, null, undefined, "other", "my-class")).toBe("my-class other my-class");
  });

  it("agrees with tailwind-merge on every pair of classes the source uses", () => {
    const words = sourceClasses();
    expect(words.length).toBeGreaterThan(300);
    // tailwind-merge reads the legacy `bg-gradient-to-*` as a background colour; it is an image.
    const legacyGradient = (w: string) => w.includes("bg-gradient-to-");
    // Classes under different variants never replace each other (checked once, below), so pairs
    // are compared within each variant set.
    const byVariants = new Map<string, string[]>();
    for (const w of words) {
      if (legacyGradient(w)) continue;
      const v = w.slice(0, w.lastIndexOf(":") + 1);
      byVariants.set(v, [...(byVariants.get(v) ?? []), w]);
    }
    expect(mergeClasses("hover:bg-white bg-slate-50 lg:bg-white")).toBe(twMerge("hover:bg-white bg-slate-50 lg:bg-white"));
    const differ: string[] = [];
    for (const group of byVariants.values())
      for (const a of group) {
        for (const b of group) {
          if (a === b) continue;
          const s = `${a} ${b}`;
          const ours = mergeClasses(s);
          if (ours !== twMerge(s)) differ.push(`${s} → ${ours} (tailwind-merge: ${twMerge(s)})`);
        }
      }
    expect(differ.slice(0, 40)).toEqual([]);
  });
});
