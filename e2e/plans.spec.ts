import { test, expect, freshPhone, readCode, signInViaUi } from "./fixtures";
import type { Page } from "@playwright/test";

async function confirmWithCode(page: Page, phone: string) {
  const dialog = page.getByRole("dialog");
  const sentAt = Date.now();
  await dialog.getByRole("button", { name: /获取验证码|Get code/ }).click();
  const code = await readCode(page, phone, "购买", sentAt);
  await dialog.getByLabel(/短信验证码|SMS code/).fill(code);
  await dialog.getByRole("button", { name: /确认支付|Pay/ }).click();
  await expect(page.getByTestId("purchase-done")).toBeVisible();
  // The page refreshes behind the dialog after a purchase; close it once it has settled.
  await expect(async () => {
    if (await dialog.isVisible()) await dialog.getByRole("button", { name: /知道了|Got it/ }).click({ timeout: 2_000 });
    await expect(dialog).toBeHidden({ timeout: 1_000 });
  }).toPass({ timeout: 20_000 });
}

test("buy a plan with the SMS code, see allowance and bill line, export CSV, upgrade mid-cycle; another user gets 404", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const phone = freshPhone();
  await signInViaUi(page, phone);

  await page.goto("/plans");
  await expect(page.getByTestId("current-plan")).toContainText(/还没有套餐/);
  await page.getByTestId("tier-t399").getByRole("button", { name: "开通" }).click();
  await expect(page.getByRole("dialog")).toContainText("¥39.90");
  await confirmWithCode(page, phone);
  await expect(page.getByTestId("allowance-left")).toHaveText("1500万");
  await expect(page.getByTestId("current-plan")).toContainText("轻享版");
  await expect(page.getByTestId("tier-t399")).toContainText("当前");

  await page.goto("/bills");
  await expect(page.getByTestId("bill-row")).toHaveCount(1);
  await expect(page.getByTestId("bill-row")).toContainText("¥39.90");
  await page.getByTestId("bill-row").click();
  await expect(page.getByTestId("bill-lines")).toContainText("月费");
  await expect(page.getByTestId("bill-total")).toHaveText("¥39.90");
  const billUrl = page.url();

  const csv = await page.request.get(`${billUrl.replace(/\/bills\//, "/api/bills/").replace(/[?#].*$/, "")}/csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const bytes = await csv.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.toString("utf8")).toContain("轻享版");

  // Chat on the new plan, then find that reply on the bill, linked to its conversation.
  const firstCodeAt = Date.now();
  await page.goto("/chat");
  await page.getByTestId("composer-input").fill("帮我写一句问候语");
  await page.getByTestId("send-button").click();
  const reply = page.getByTestId("message-assistant").last();
  await expect(reply).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  const cost = BigInt((await reply.getAttribute("data-cost")) || "0");
  expect(cost).toBeGreaterThan(0n);
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const conversationPath = new URL(page.url()).pathname;
  await page.goto(billUrl);
  const row = page.getByTestId("usage-row");
  await expect(row).toHaveCount(1);
  await expect(row).toContainText(cost.toLocaleString("zh-CN"));
  await expect(row.getByRole("link")).toHaveAttribute("href", conversationPath);

  // A second purchase code may only be sent a minute after the first.
  await page.waitForTimeout(Math.max(0, 61_000 - (Date.now() - firstCodeAt)));
  await page.goto("/plans");
  const upgrade = page.getByTestId("tier-t599");
  await expect(upgrade).toContainText(/本月补差价 ¥\d+\.\d\d/);
  await upgrade.getByRole("button", { name: "升级" }).click();
  await confirmWithCode(page, phone);
  await expect(page.getByTestId("current-plan")).toContainText("畅享版");
  await page.goto(billUrl);
  await expect(page.getByTestId("bill-lines")).toContainText("升级补差");

  // Someone else asking for this bill (page or CSV) learns nothing.
  const other = await browser.newContext({ viewport: page.viewportSize() ?? undefined });
  const otherPage = await other.newPage();
  await signInViaUi(otherPage, freshPhone());
  const res = await otherPage.goto(billUrl);
  expect(res?.status()).toBe(404);
  const otherCsv = await otherPage.request.get(`${billUrl.replace(/\/bills\//, "/api/bills/").replace(/[?#].*$/, "")}/csv`);
  expect(otherCsv.status()).toBe(404);
  await other.close();
});

test("the rollover route wants the scheduler's secret", async ({ request }) => {
  expect((await request.post("/api/jobs/rollover")).status()).toBe(401);
  expect((await request.post("/api/jobs/rollover", { headers: { authorization: "Bearer wrong" } })).status()).toBe(401);
});
