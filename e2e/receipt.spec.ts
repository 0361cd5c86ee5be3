import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Page } from "@playwright/test";
import { test, expect, freshPhone, signIn, DEMO, serverKey } from "./fixtures";

// Before sending a quote, after sending a receipt, and a dispute a staff member answers with a
// refund that shows on the bill.

const SHOTS = process.env.E2E_SHOTS_DIR;
async function shot(page: Page, name: string, project: string) {
  if (SHOTS) await page.screenshot({ path: path.join(SHOTS, `${name}-${project}.png`) });
}

/** Staff sign in once per run and server (a phone gets a code once a minute). */
async function signInStaff(page: Page) {
  const file = path.join(os.tmpdir(), `unitoken-e2e-receipt-${serverKey()}-staff.json`);
  if (existsSync(file)) {
    await page.context().addCookies(JSON.parse(readFileSync(file, "utf8")));
    // "/" sends a stale session to /login (/support would answer a plain 404 instead).
    await page.goto("/");
    if (!/\/login/.test(page.url())) return;
    await page.context().clearCookies();
  }
  await signIn(page, DEMO.staff);
  writeFileSync(file, JSON.stringify(await page.context().cookies()));
}

async function tokensOf(page: Page): Promise<bigint> {
  const badge = page.getByTestId("balance");
  await expect(badge).toHaveAttribute("data-tokens", /^\d+$/);
  return BigInt((await badge.getAttribute("data-tokens"))!);
}

test("quote follows the model; the badge moves by the receipt; a refunded dispute shows on the bill", async ({ page, browser }, info) => {
  await signIn(page, freshPhone());
  await page.goto("/chat");

  // The quote under the composer, and how it changes with the model.
  const quote = page.getByTestId("composer-quote");
  await page.getByTestId("composer-input").fill("用三句话解释什么是复利，再举一个存款的例子");
  await expect(quote).toHaveAttribute("data-hold", /^\d+$/);
  await expect(quote).toContainText(/本条最多 [\d,]+ · 预计约 [\d,]+ tokens/);
  const firstHold = (await quote.getAttribute("data-hold"))!;
  await page.getByTestId("model-picker").click();
  await page.getByRole("textbox", { name: /搜索模型/ }).fill("gpt-4o mini");
  await page.getByTestId("model-option-gpt-4o-mini").click();
  await expect(quote).toHaveAttribute("data-model", "gpt-4o-mini");
  await expect(quote).not.toHaveAttribute("data-hold", firstHold);
  const hold = BigInt((await quote.getAttribute("data-hold"))!);
  const expected = BigInt((await quote.getAttribute("data-expected"))!);
  expect(expected).toBeLessThanOrEqual(hold);
  await shot(page, "quote", info.project.name);

  // Send: the badge moves by exactly what the receipt says.
  const before = await tokensOf(page);
  await expect(page.getByRole("button", { name: /^余额 .+ tokens/ })).toBeVisible();
  await page.getByTestId("send-button").click();
  const reply = page.getByTestId("message-assistant").last();
  await expect(reply).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  const cost = BigInt((await reply.getAttribute("data-cost"))!);
  expect(cost).toBeGreaterThan(0n);
  expect(cost).toBeLessThanOrEqual(hold);
  await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", (before - cost).toString());
  await expect(page.getByTestId("conversation-total")).toHaveAttribute("data-tokens", cost.toString());

  await reply.getByTestId("reply-cost").getByRole("button").click();
  const receipt = page.getByTestId("receipt");
  await expect(receipt).toBeVisible();
  await expect(receipt).toHaveAttribute("data-plan-tokens", cost.toString());
  const after = await tokensOf(page);
  expect(before - after).toBe(BigInt((await receipt.getAttribute("data-plan-tokens"))!));
  await expect(receipt.getByTestId("receipt-value")).toHaveText(/^¥\d+\.\d{4}$/);
  await expect(receipt.getByText("GPT-4o mini")).toBeVisible();
  const usageId = (await receipt.getAttribute("data-usage-id"))!;
  await shot(page, "receipt", info.project.name);

  // 申诉 on the receipt.
  await receipt.getByRole("button", { name: "申诉这笔扣费" }).click();
  await receipt.getByLabel(/哪里不对/).fill("回复比我预想的短，却扣了这么多");
  await receipt.getByRole("button", { name: "提交申诉" }).click();
  await expect(receipt.getByTestId("dispute-status")).toHaveAttribute("data-status", "open");
  await page.keyboard.press("Escape");

  // The balance sheet: available, held, buckets.
  await page.getByTestId("balance").click();
  const sheet = page.getByTestId("balance-sheet");
  await expect(sheet).toBeVisible();
  await expect(sheet.getByTestId("balance-bucket").first()).toBeVisible();
  await expect(sheet.getByTestId("balance-held")).toHaveText("0");
  await shot(page, "balance-sheet", info.project.name);
  await page.keyboard.press("Escape");

  // Staff answer with a refund from the queue.
  const staffContext = await browser.newContext({
    baseURL: new URL(page.url()).origin,
    viewport: page.viewportSize() ?? undefined,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  const staff = await staffContext.newPage();
  await signInStaff(staff);
  await staff.goto("/support/disputes");
  await expect(staff.getByRole("heading", { name: "申诉工单" })).toBeVisible();
  const ticket = staff.locator(`[data-testid="dispute-ticket"][data-usage-id="${usageId}"]`);
  await expect(ticket).toBeVisible();
  await expect(ticket.getByTestId("dispute-age")).toContainText("已等待");
  await shot(staff, "ticket-queue", info.project.name);
  await ticket.getByLabel("答复内容").fill("核对后按短回复退还本条用量");
  await ticket.getByRole("button", { name: "退款并答复" }).click();
  await expect(staff.locator(`[data-testid="dispute-ticket"][data-usage-id="${usageId}"][data-status="answered"]`)).toBeVisible();
  await staffContext.close();

  // The user sees the answer and the refund; the bill line says 已退款.
  await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", before.toString(), { timeout: 15_000 });
  await page.reload();
  await page.getByTestId("message-assistant").last().getByTestId("reply-cost").getByRole("button").click();
  await expect(page.getByTestId("dispute-answer")).toContainText("核对后按短回复退还本条用量");
  await expect(page.getByTestId("receipt-refunded")).toHaveText("已退款");
  await page.keyboard.press("Escape");
  await page.goto("/bills");
  await page.getByTestId("bill-row").first().click();
  const row = page.getByTestId("usage-row").first();
  await expect(row).toContainText("已退款");

  // 单条确认: above the threshold set in 我的, sending asks first and shows the quote.
  await page.goto("/settings");
  await page.getByLabel("单条确认额度（tokens）").fill("1000");
  await page.getByTestId("confirm-threshold").getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("confirm-threshold-current")).toHaveText("单条超过 1,000 tokens 时先确认");
  await page.goto("/chat");
  await page.getByTestId("composer-input").fill("再解释一次复利");
  await expect(page.getByTestId("composer-quote")).toHaveAttribute("data-hold", /^\d+$/);
  await page.getByTestId("send-button").click();
  const confirm = page.getByRole("dialog", { name: "这条消息用量较大，确定发送吗？" });
  await expect(confirm).toBeVisible();
  await expect(confirm.getByTestId("send-confirm")).toContainText(/本条最多 [\d,]+ · 预计约 [\d,]+ tokens/);
  await shot(page, "confirm", info.project.name);
  await confirm.getByRole("button", { name: "确认发送" }).click();
  await expect(page.getByTestId("message-assistant").last()).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
});
