import { defineConfig, devices } from "@playwright/test";
import { existsSync } from "node:fs";

// Each project has its own server and embedded database, so the phone and desktop runs go side by
// side without sharing the demo accounts: the phone project on E2E_PORT, the desktop one on the next.
const port = Number(process.env.E2E_PORT || 3100);
const servers = { phone: port, desktop: port + 1 };
const url = (p: number) => `http://127.0.0.1:${p}`;
const chromium = ["/usr/bin/chromium", "/usr/lib/chromium/chromium"].find((p) => existsSync(p));
const launchOptions = {
  executablePath: chromium,
  args: [
    "--no-sandbox",
    "--disable-dev-shm-usage",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
  ],
};

/**
 * End-to-end tests run against a production build (`next build && next start`, built once: the
 * servers start one after the other and the second finds the build fresh), each project on its
 * own server and embedded database folder, with the in-app demo upstream and the console SMS inbox.
 * The tests of one project run one at a time (they share its demo accounts); the two projects run
 * side by side.
 */
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 2,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: { trace: "retain-on-failure", screenshot: "only-on-failure", locale: "zh-CN", timezoneId: "Asia/Shanghai", launchOptions },
  projects: [
    { name: "phone", workers: 1, use: { ...devices["Pixel 7"], baseURL: url(servers.phone), viewport: { width: 390, height: 844 }, launchOptions } },
    {
      name: "desktop",
      workers: 1,
      use: { baseURL: url(servers.desktop), viewport: { width: 1280, height: 800 }, launchOptions },
      testIgnore: /\.phone-only\.spec\.ts$/,
    },
  ],
  webServer: Object.entries(servers).map(([name, p]) => ({
    command: `node scripts/e2e-server.mjs`,
    url: `${url(p)}/api/health`,
    timeout: 600_000,
    reuseExistingServer: !process.env.CI,
    stdout: "pipe" as const,
    stderr: "pipe" as const,
    // Demo mode is opt-in: the accounts, the SMS inbox and the demo upstream the specs use.
    env: {
      E2E_PORT: String(p),
      E2E_PGLITE_DIR: `${process.env.E2E_PGLITE_DIR || ".data/pglite-e2e"}-${name}`,
      DEMO_MODE: "true",
      DEMO_PUBLIC: "true",
    },
  })),
});
