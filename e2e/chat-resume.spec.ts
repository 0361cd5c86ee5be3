import type { Page } from "@playwright/test";
import { test, expect, freshPhone, signIn } from "./fixtures";

const reply = (page: Page) => page.getByTestId("message-assistant").last();

async function balance(page: Page): Promise<bigint> {
  const badge = page.getByTestId("balance");
  await expect(badge).toHaveAttribute("data-tokens", /^\d+$/);
  return BigInt((await badge.getAttribute("data-tokens"))!);
}

const replyLength = async (page: Page) => ((await reply(page).getByTestId("reply-text").textContent()) ?? "").length;

test("a reply survives its page: closed mid-reply, opened on another browser, it goes on, finishes and is charged once", async ({ page, browser }, info) => {
  test.setTimeout(150_000);
  const phone = freshPhone();
  await signIn(page, phone);
  await page.goto("/chat");
  const before = await balance(page);
  // A long, slow demo answer (600 tokens at 40 a second) so the page closes mid-reply.
  const origin = new URL(page.url()).origin;
  await page.context().addCookies([{ name: "demo_knobs", value: encodeURIComponent(JSON.stringify({ "x-demo-tps": 40, "x-demo-tokens": 600 })), url: origin }]);
  await page.getByTestId("composer-input").fill("写一篇介绍长城历史的长文");
  await page.getByTestId("send-button").click();
  await expect(reply(page).getByTestId("reply-text")).not.toBeEmpty({ timeout: 30_000 });
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const url = page.url();
  const seenBeforeClose = await replyLength(page);
  await page.close();

  // Another browser (the same account): the conversation shows the reply so far and follows it live.
  const use = info.project.use;
  const other = await browser.newContext({
    viewport: use.viewport,
    userAgent: use.userAgent,
    deviceScaleFactor: use.deviceScaleFactor,
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
  const second = await other.newPage();
  await signIn(second, phone);
  await second.goto(url);
  await expect(reply(second)).toHaveAttribute("data-status", "streaming");
  await expect(second.getByRole("status").filter({ hasText: "仍在服务器上生成" })).toBeVisible();
  await expect(second.getByRole("button", { name: "停止" })).toBeVisible();
  // It went on while no page was open, and keeps growing here.
  await expect.poll(() => replyLength(second), { timeout: 20_000 }).toBeGreaterThan(seenBeforeClose);
  const resumedAt = await replyLength(second);
  await expect.poll(() => replyLength(second), { timeout: 20_000 }).toBeGreaterThan(resumedAt);
  await second.screenshot({ path: `test-results/screens/chat-resumed-${info.project.name}.png` });

  // It finishes, whole, with its cost; the balance drops by exactly that, once.
  await expect(reply(second)).toHaveAttribute("data-status", "ok", { timeout: 60_000 });
  await expect(second.getByTestId("reply-resumed")).toHaveCount(0);
  const cost = BigInt((await reply(second).getAttribute("data-cost")) || "0");
  expect(cost).toBeGreaterThan(0n);
  await expect(reply(second).getByTestId("reply-cost")).toBeVisible();
  await expect(second.getByTestId("balance")).toHaveAttribute("data-tokens", (before - cost).toString());
  await second.reload();
  await expect(reply(second)).toHaveAttribute("data-status", "ok");
  await expect(reply(second)).toHaveAttribute("data-cost", cost.toString());
  await second.screenshot({ path: `test-results/screens/chat-resumed-done-${info.project.name}.png` });

  // One charge on the bill.
  await second.goto("/bills");
  await second.getByTestId("bill-row").first().click();
  await expect(second.getByTestId("usage-row")).toHaveCount(1);
  await other.close();
});
