import { test as base, expect, type BrowserContext, type Page } from "@playwright/test";
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

export { expect };

/** A phone number no other test uses (new accounts: sign-up is sign-in). */
export function freshPhone(): string {
  return `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}`;
}

/** The newest code texted to `phone`, read from the dev SMS inbox. */
export async function readCode(page: Page, phone: string, purpose: "登录" | "购买" = "登录", after?: number): Promise<string> {
  for (let i = 0; i < 40; i++) {
    const html = await (await page.request.get("/dev/sms")).text();
    const re = new RegExp(`data-phone="${phone}"[\\s\\S]*?dateTime="([^"]+)"[\\s\\S]*?验证码 (\\d{6})[^<]*?用于(?:确认)?${purpose}`);
    const m = html.match(re);
    if (m && (!after || new Date(m[1]).getTime() >= after - 1000)) return m[2];
    await page.waitForTimeout(250);
  }
  throw new Error(`no ${purpose} code for ${phone}`);
}

/** Signs in through the real UI: phone, code from the dev inbox. */
export async function signInViaUi(page: Page, phone: string): Promise<void> {
  await page.goto("/login");
  await page.getByLabel(/手机号|Phone number/).fill(phone);
  const sentAt = Date.now();
  await page.getByRole("button", { name: /获取验证码|Get code/ }).click();
  await expect(page.getByText(/验证码已发送|Code sent/)).toBeVisible();
  const code = await readCode(page, phone, "登录", sentAt);
  await page.getByLabel(/^验证码$|^Code$/).fill(code);
  await page.getByRole("button", { name: /^登录$|^Sign in$/ }).click();
  await page.waitForURL(/\/(chat|support)/);
}

// One real sign-in per phone per run and server; later tests of the same project reuse
// its cookies, since a phone may only get a code every 60 s. A stale file from an earlier run
// fails the check below and falls back to a real sign-in. Tests that sign out use a fresh phone.
type Cookies = Awaited<ReturnType<BrowserContext["cookies"]>>;

/** Each project has its own server and database (playwright.config.ts): sessions are kept per server. */
export function serverKey(): string {
  return new URL(String(base.info().project.use.baseURL)).port;
}

const sessionFile = (phone: string) => path.join(os.tmpdir(), `unitoken-e2e-${serverKey()}-${phone}.json`);

function cachedSession(phone: string): Cookies | null {
  try {
    return JSON.parse(readFileSync(sessionFile(phone), "utf8")) as Cookies;
  } catch {
    return null;
  }
}

export async function signIn(page: Page, phone: string): Promise<void> {
  const cached = cachedSession(phone);
  if (cached) {
    await page.context().addCookies(cached);
    await page.goto("/");
    if (!/\/login/.test(page.url())) return;
    await page.context().clearCookies();
    rmSync(sessionFile(phone), { force: true });
  }
  await signInViaUi(page, phone);
  writeFileSync(sessionFile(phone), JSON.stringify(await page.context().cookies()));
}

export const DEMO = {
  personal: "13800000001",
  trial: "13800000002",
  familyOwner: "13800000003",
  familyMember: "13800000004",
  staff: "13900000000",
} as const;

/**
 * A message that a page's providers did not send prints its key instead of its text, and next-intl
 * logs MISSING_MESSAGE in the browser: any test whose pages log one fails.
 */
export const test = base.extend({
  context: async ({ context }, provide) => {
    const missing: string[] = [];
    context.on("console", (m) => {
      if (m.type() === "error" && m.text().includes("MISSING_MESSAGE")) missing.push(m.text().split("\n")[0]);
    });
    await provide(context);
    expect(missing, "messages the browser did not get").toEqual([]);
  },
});
