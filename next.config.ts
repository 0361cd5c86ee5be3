import type { NextConfig } from "next";
import { PHASE_PRODUCTION_SERVER } from "next/constants";
import createNextIntlPlugin from "next-intl/plugin";
import { checkDemoMode } from "./lib/server/env-schema";

// Pages get a nonce-based Content-Security-Policy per request from proxy.ts. Route handlers
// (JSON, CSV, SSE) render nothing: their policy forbids everything.
const apiCsp = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

const common = [
  { key: "X-Frame-Options", value: "DENY" },
  { key: "Referrer-Policy", value: "strict-origin-when-cross-origin" },
  { key: "X-Content-Type-Options", value: "nosniff" },
  { key: "Permissions-Policy", value: "camera=(), microphone=(), geolocation=()" },
];

const nextConfig: NextConfig = {
  // Separate build folders let several servers (dev, e2e, benchmarks) share one checkout.
  distDir: process.env.NEXT_DIST_DIR || ".next",
  serverExternalPackages: ["@electric-sql/pglite", "pg", "ws", "undici", "unpdf", "mammoth", "ioredis"],
  poweredByHeader: false,
  // `npm test` type-checks the whole tree in its static layer before the e2e build; the build
  // need not do it again there (NEXT_SKIP_TYPECHECK=1, set only by scripts/e2e-server.mjs in CI).
  typescript: { ignoreBuildErrors: process.env.NEXT_SKIP_TYPECHECK === "1" },
  async headers() {
    return [
      {
        // The OpenAI-compatible API sets its own (nosniff, in lib/gateway): a document's policy
        // means nothing to JSON and SSE, and Next applies these rules on every request.
        source: "/((?!api/v1/).*)",
        headers: common,
      },
      { source: "/api/((?!v1/).*)", headers: [{ key: "Content-Security-Policy", value: apiCsp }] },
      // Shared conversations are public but never indexed (the page's robots meta says the same).
      { source: "/share/:path*", headers: [{ key: "X-Robots-Tag", value: "noindex, nofollow, noarchive" }] },
    ];
  },
};

const withIntl = createNextIntlPlugin({
  requestConfig: "./lib/server/i18n-request.ts",
  // Every message file (imported by lib/i18n/catalog.ts) is compiled at build time, so pages
  // format messages without shipping an ICU parser.
  experimental: { messages: { path: "./lib/i18n/messages", format: "json", locales: ["zh-CN", "en"], precompile: true } },
});

export default function config(phase: string): NextConfig {
  // `next start` refuses a production demo not declared public before it listens (lib/server/env-schema.ts).
  if (phase === PHASE_PRODUCTION_SERVER) checkDemoMode(process.env);
  return withIntl(nextConfig);
}
