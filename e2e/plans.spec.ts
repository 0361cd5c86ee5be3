import { test, expect, freshPhone, readCode, signIn, signInViaUi, DEMO } from "./fixtures";
import type { Page } from "@playwright/test";
import { formatTokens, formatYuan } from "../lib/core/format";

/** This Shanghai month's days and days left (today included), and a plan's first-month share. */
function firstMonth(fen: bigint, tokens: bigint) {
  const local = new Date(Date.now() + 8 * 3_600_000);
  const days = new Date(Date.UTC(local.getUTCFullYear(), local.getUTCMonth() + 1, 0)).getUTCDate();
  const remaining = days - local.getUTCDate() + 1;
  const share = (n: bigint) => (n * BigInt(remaining) * 2n + BigInt(days)) / (2n * BigInt(days));
  return { days, remaining, prorated: remaining < days, fen: share(fen), tokens: share(tokens) };
}

async function confirmWithCode(page: Page, phone: string) {
  const dialog = page.getByRole("dialog");
  const sentAt = Date.now();
  await dialog.getByRole("button", { name: /获取验证码|Get code/ }).click();
  const code = await readCode(page, phone, "购买", sentAt);
  await dialog.getByLabel(/短信验证码|SMS code/).fill(code);
  await dialog.getByRole("button", { name: /确认支付|Pay/ }).click();
  await expect(page.getByTestId("purchase-done")).toBeVisible();
  // The "购买成功" sheet stays until the user dismisses it (nothing behind it refreshes it away).
  await page.waitForTimeout(3_000);
  await expect(page.getByTestId("purchase-done")).toBeVisible();
  await dialog.getByRole("button", { name: /知道了|Got it/ }).click();
  await expect(dialog).toBeHidden();
}

test("buy a plan with the SMS code, see allowance and bill line, export CSV, upgrade mid-cycle; another user gets 404", async ({ page, browser }) => {
  test.setTimeout(300_000);
  const phone = freshPhone();
  await signInViaUi(page, phone);

  // 按天折算, worked out here independently: the days left in this Shanghai month (today included)
  // times ¥39.90 and 1500万 tokens, rounded to the nearest fen and token.
  const first = firstMonth(3990n, 15_000_000n);
  await page.goto("/plans");
  await expect(page.getByTestId("current-plan")).toContainText(/还没有套餐/);
  if (first.prorated) await expect(page.getByTestId("first-month-t399")).toContainText(`${first.remaining}/${first.days} 天`);
  await page.getByTestId("tier-t399").getByRole("button", { name: "开通" }).click();
  const sheet = page.getByRole("dialog");
  // Both numbers are on the sheet before any code is sent.
  await expect(sheet.getByRole("button", { name: `确认支付 ${formatYuan(first.fen)}` })).toBeVisible();
  if (first.prorated) {
    await expect(sheet.getByTestId("sheet-this-month")).toHaveText(`${formatYuan(first.fen)} · ${first.tokens.toLocaleString("zh-CN")} tokens`);
    await expect(sheet.getByTestId("sheet-from-next")).toHaveText("¥39.90 · 15,000,000 tokens");
    await expect(sheet).toContainText("四舍五入到分和 token");
  }
  await page.screenshot({ path: `test-results/screens/plans-sheet-${test.info().project.name}.png` });
  await confirmWithCode(page, phone);
  await expect(page.getByTestId("allowance-left")).toHaveText(formatTokens(first.tokens));
  await expect(page.getByTestId("plan-forecast")).toBeVisible();
  await page.screenshot({ path: `test-results/screens/plans-${test.info().project.name}.png`, fullPage: true });
  await expect(page.getByTestId("current-plan")).toContainText("轻享版");
  await expect(page.getByTestId("tier-t399")).toContainText("当前");

  // The bill charges exactly the sheet's price.
  await page.goto("/bills");
  await expect(page.getByTestId("bill-row")).toHaveCount(1);
  await expect(page.getByTestId("bill-row")).toContainText(formatYuan(first.fen));
  await page.getByTestId("bill-row").click();
  await expect(page.getByTestId("bill-lines")).toContainText(first.prorated ? `首月按剩余 ${first.remaining}/${first.days} 天折算` : "月费");
  await expect(page.getByTestId("bill-total")).toHaveText(formatYuan(first.fen));
  const billUrl = page.url();

  const csv = await page.request.get(`${billUrl.replace(/\/bills\//, "/api/bills/").replace(/[?#].*$/, "")}/csv`);
  expect(csv.status()).toBe(200);
  expect(csv.headers()["content-type"]).toContain("text/csv");
  const bytes = await csv.body();
  expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
  expect(bytes.toString("utf8")).toContain("轻享版");

  // Chat on the new plan, then find that reply on the bill, linked to its conversation.
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

  // A second purchase code may only be sent a minute after the first: the demo's dev route ages
  // the first one instead of waiting.
  const aged = await page.request.post("/api/dev/expire-codes", { data: { phone }, headers: { origin: new URL(page.url()).origin } });
  expect(aged.ok()).toBe(true);
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

test("the demo subscriber's plan page shows last month's carry-over, the forecast and the safety net", async ({ page }, testInfo) => {
  // 张伟 has been on ¥59.9 since last month (demo seed): what last month's allowance left carried over.
  await signIn(page, DEMO.personal);
  await page.goto("/plans");
  await expect(page.getByTestId("carryover")).toContainText("上月结转");
  await expect(page.getByTestId("plan-forecast")).toContainText("按近 7 天用量");
  await expect(page.getByRole("heading", { name: "放心用" })).toBeVisible();
  await page.screenshot({ path: `test-results/screens/plans-carryover-${testInfo.project.name}.png`, fullPage: true });
  // The third choice: continue on an economical model, chosen from the economical ones, with its packs' ceiling.
  const net = page.getByTestId("safety-net");
  await net.getByRole("radio", { name: /换经济模型继续用到月底/ }).check();
  // The cheapest economical model is offered first (gpt-4o-mini since deepseek-chat costs ¥8 per 1M out).
  await expect(net.getByLabel("经济模型", { exact: true })).toHaveValue("gpt-4o-mini");
  await expect(net.getByLabel("不够时自动买的加油包")).toBeVisible();
  await expect(net.getByRole("button", { name: "保存" })).toBeDisabled(); // the purchase code first
  await net.screenshot({ path: `test-results/screens/plans-safety-economy-${testInfo.project.name}.png` });
  await page.goto("/bills");
  await page.getByTestId("bill-row").first().click();
  await expect(page.getByTestId("bill-carried-over")).toContainText("上月结转");
});
