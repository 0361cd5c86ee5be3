// What the benchmarks share: the demo app's environment, signing a demo account in through the UI,
// and the git worktree an A/B run measures another commit in.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync } from "node:fs";
import path from "node:path";

/**
 * The environment of the app a web benchmark serves: demo mode (accounts, SMS inbox, demo upstream)
 * on the embedded PGlite (no DATABASE_URL), sign-in codes not rate-limited by IP.
 */
export function demoAppEnv(extra) {
  const env = {
    ...process.env,
    DEMO_MODE: "true",
    DEMO_PUBLIC: "true",
    AUTH_SECRET: process.env.AUTH_SECRET || "bench-secret-not-for-production-0123456789",
    AUTH_TRUST_HOST: "true",
    SMS_IP_HOURLY_LIMIT: "1000",
    NEXT_TELEMETRY_DISABLED: "1",
    ...extra,
  };
  delete env.DATABASE_URL;
  return env;
}

/** Signs a demo account in on `base` through the UI (code from the dev SMS inbox); returns the browser context. */
export async function signInDemo(browser, base, phone) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, locale: "zh-CN", timezoneId: "Asia/Shanghai" });
  const page = await context.newPage();
  await page.goto(`${base}/login`);
  await page.getByLabel(/手机号|Phone number/).fill(phone);
  const sentAt = Date.now();
  await page.getByRole("button", { name: /获取验证码|Get code/ }).click();
  let code = null;
  for (let i = 0; i < 40 && !code; i++) {
    const html = await (await page.request.get(`${base}/dev/sms`)).text();
    const m = html.match(new RegExp(`data-phone="${phone}"[\\s\\S]*?dateTime="([^"]+)"[\\s\\S]*?验证码 (\\d{6})[^<]*?用于登录`));
    if (m && new Date(m[1]).getTime() >= sentAt - 1000) code = m[2];
    else await page.waitForTimeout(250);
  }
  if (!code) throw new Error("no sign-in code");
  await page.getByLabel(/^验证码$|^Code$/).fill(code);
  await page.getByRole("button", { name: /^登录$|^Sign in$/ }).click();
  await page.waitForURL(/\/chat/);
  await page.close();
  return context;
}

/**
 * `commit` checked out as a git worktree beside this checkout (BENCH_AB_DIR, default
 * ../<this folder>-bench-ab: outside it, so no linter or type check sees a second tree), its
 * node_modules hard-linked from this one. Returns its folder.
 */
export function abWorktree(commit) {
  const here = process.cwd();
  const dir = path.resolve(process.env.BENCH_AB_DIR ?? path.join(here, "..", `${path.basename(here)}-bench-ab`));
  mkdirSync(path.dirname(dir), { recursive: true });
  if (existsSync(dir)) execFileSync("git", ["-C", dir, "checkout", "-q", "--detach", commit]);
  else execFileSync("git", ["worktree", "add", "-f", "--detach", dir, commit], { stdio: "ignore" });
  if (!existsSync(path.join(dir, "node_modules"))) execFileSync("cp", ["-al", path.join(here, "node_modules"), path.join(dir, "node_modules")]);
  return dir;
}
