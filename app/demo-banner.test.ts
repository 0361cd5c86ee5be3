import { afterEach, describe, expect, it, vi } from "vitest";
import { isValidElement, type ReactElement, type ReactNode } from "react";
import { readFileSync } from "node:fs";

// A public demo (DEMO_MODE + DEMO_PUBLIC under next start) says so on every page, in Chinese by default.

vi.mock("next/server", () => ({ connection: async () => undefined }));
vi.mock("next-intl/server", () => ({ getLocale: async () => "zh-CN", getMessages: async () => ({}), getTranslations: async () => (k: string) => k }));

afterEach(() => {
  vi.unstubAllEnvs();
  vi.resetModules();
});

function contains(node: ReactNode, type: unknown): boolean {
  if (Array.isArray(node)) return node.some((n) => contains(n, type));
  if (!isValidElement(node)) return false;
  const el = node as ReactElement<{ children?: ReactNode }>;
  return el.type === type || contains(el.props.children, type);
}

async function layoutWith(vars: Record<string, string>) {
  for (const [k, v] of Object.entries({ DEMO_MODE: "", DEMO_PUBLIC: "", ...vars })) vi.stubEnv(k, v);
  vi.resetModules();
  const { DemoBanner } = await import("@/components/shell/demo-banner");
  const RootLayout = (await import("./layout")).default;
  return { tree: await RootLayout({ children: null }), DemoBanner };
}

describe("demo banner", () => {
  it("shows on a public demo and nowhere else", async () => {
    const pub = await layoutWith({ DEMO_MODE: "true", DEMO_PUBLIC: "true" });
    expect(contains(pub.tree, pub.DemoBanner)).toBe(true);
    const plain = await layoutWith({});
    expect(contains(plain.tree, plain.DemoBanner)).toBe(false);
  });

  it("has its text in both languages, Chinese first", () => {
    const zh = JSON.parse(readFileSync("lib/i18n/messages/zh-CN/demoBanner.json", "utf8"));
    const en = JSON.parse(readFileSync("lib/i18n/messages/en/demoBanner.json", "utf8"));
    expect(Object.keys(zh).sort()).toEqual(Object.keys(en).sort());
    expect(zh.title).toMatch(/演示/);
  });
});
