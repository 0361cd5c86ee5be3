import { defineConfig, devices } from "@playwright/test";
import { existsSync } from "node:fs";

const port = Number(process.env.E2E_PORT || 3100);
const baseURL = `http://127.0.0.1:${port}`;
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
 * End-to-end tests run against a production build (`next build && next start`) on their own
 * embedded database folder, with the in-app demo upstream and the console SMS inbox.
 */
export default defineConfig({
  testDir: "e2e",
  outputDir: "test-results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"]],
  use: { baseURL, trace: "retain-on-failure", screenshot: "only-on-failure", locale: "zh-CN", timezoneId: "Asia/Shanghai", launchOptions },
  projects: [
    { name: "phone", use: { ...devices["Pixel 7"], viewport: { width: 390, height: 844 }, launchOptions } },
    { name: "desktop", use: { viewport: { width: 1280, height: 800 }, launchOptions }, testIgnore: /\.phone-only\.spec\.ts$/ },
  ],
  webServer: {
    command: `node scripts/e2e-server.mjs`,
    url: `${baseURL}/api/health`,
    timeout: 600_000,
    reuseExistingServer: !process.env.CI,
    stdout: "pipe",
    stderr: "pipe",
    // Demo mode is opt-in: the accounts, the SMS inbox and the demo upstream the specs use.
    env: { E2E_PORT: String(port), DEMO_MODE: "true", DEMO_PUBLIC: "true" },
  },
});
