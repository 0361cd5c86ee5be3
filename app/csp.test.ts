import { describe, expect, it } from "vitest";
import { NextRequest } from "next/server";
import { proxy } from "@/proxy";
import nextConfig from "@/next.config";

// A strict CSP: scripts only with the request's nonce, never 'unsafe-inline'.

const page = (path: string, cookie = "authjs.session-token=x") => proxy(new NextRequest(`http://127.0.0.1:3000${path}`, { headers: { cookie } }));
const scriptSrc = (csp: string) =>
  csp
    .split(";")
    .map((d) => d.trim())
    .find((d) => d.startsWith("script-src"))!;

describe("Content-Security-Policy", () => {
  it("gives every page a fresh nonce, in the response and in the request Next renders with", () => {
    const a = page("/chat");
    const b = page("/login", "");
    const csp = a.headers.get("content-security-policy")!;
    const nonce = /'nonce-([^']+)'/.exec(scriptSrc(csp))?.[1];
    expect(nonce).toBeTruthy();
    expect(scriptSrc(csp)).not.toContain("'unsafe-inline'");
    expect(scriptSrc(csp)).toContain("'strict-dynamic'");
    expect(a.headers.get("x-middleware-request-content-security-policy")).toBe(csp);
    expect(a.headers.get("x-middleware-request-x-nonce")).toBe(nonce);
    expect(b.headers.get("content-security-policy")).not.toBe(csp);
    expect(csp).toMatch(/frame-ancestors 'none'/);
    expect(csp).toMatch(/object-src 'none'/);
  });

  it("sets no static policy with 'unsafe-inline' scripts beside it (next.config headers)", async () => {
    const rules = (await nextConfig("phase-test").headers!()) ?? [];
    for (const r of rules)
      for (const h of r.headers) if (h.key.toLowerCase() === "content-security-policy") expect(h.value).not.toMatch(/script-src[^;]*'unsafe-inline'/);
    const pageRule = rules.find((r) => r.source === "/((?!api/v1/).*)")!;
    expect(pageRule.headers.some((h) => h.key.toLowerCase() === "content-security-policy")).toBe(false);
  });
});
