import type { Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { test, expect, freshPhone, signIn } from "./fixtures";
import { makePdf, makePng } from "../lib/testing/files";

const SHOTS = process.env.E2E_SHOTS_DIR || "test-results/shots";

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${test.info().project.name}-${name}.png` });
}

const quote = (page: Page) => page.getByTestId("composer-quote");

async function holdShown(page: Page): Promise<bigint> {
  // Settled: a quote for an earlier set of files stays on screen while the newer one is asked.
  await expect(quote(page)).toHaveAttribute("aria-busy", "false");
  await expect(quote(page)).toHaveAttribute("data-hold", /^\d+$/);
  return BigInt((await quote(page).getAttribute("data-hold"))!);
}

async function pickModel(page: Page, search: string, id: string) {
  await page.getByTestId("model-picker").click();
  await page.getByRole("textbox", { name: /搜索模型/ }).fill(search);
  const option = page.getByTestId(`model-option-${id}`);
  await option.click();
}

test("attach an image and a PDF, see the quote change, send, see the reply use them and the charge", async ({ page }) => {
  await signIn(page, freshPhone());
  await page.goto("/chat");
  const badge = page.getByTestId("balance");
  await expect(badge).toHaveAttribute("data-tokens", /^\d+$/);
  const before = BigInt((await badge.getAttribute("data-tokens"))!);

  // The picker marks models that read images.
  await page.getByTestId("model-picker").click();
  await page.getByRole("textbox", { name: /搜索模型/ }).fill("gpt-4o mini");
  await expect(page.getByTestId("model-option-gpt-4o-mini").getByTestId("vision-badge")).toHaveText("识图");
  await page.getByTestId("model-option-gpt-4o-mini").click();

  const text = "请总结这份报告，并说说截图";
  await page.getByTestId("composer-input").fill(text);
  const bare = await holdShown(page);

  await page.getByTestId("attach-input").setInputFiles([
    { name: "截图.png", mimeType: "image/png", buffer: makePng(800, 600) },
    { name: "report.pdf", mimeType: "application/pdf", buffer: makePdf(["Quarterly Report", "Revenue grew 12 percent in the third quarter."]) },
  ]);
  const chips = page.getByTestId("attachment-chip");
  await expect(chips).toHaveCount(2);
  await expect(chips.nth(0)).toContainText("截图.png");
  await expect(chips.nth(0)).toContainText("800×600");
  await expect(chips.nth(1)).toContainText("report.pdf");
  await expect(chips.nth(1)).toContainText(/\d+ tokens/);
  await expect(page.getByRole("button", { name: "添加图片或文件" })).toBeVisible();

  // The quote now includes the image and the document.
  await expect.poll(async () => BigInt((await quote(page).getAttribute("data-hold")) || "0")).toBeGreaterThan(bare);
  const withFiles = await holdShown(page);

  // A text-only model cannot take the image: refused in the quote, before anything is held.
  await pickModel(page, "qwen-plus", "qwen-plus");
  await expect(page.getByTestId("quote-refusal")).toContainText("不能看图");
  await pickModel(page, "gpt-4o mini", "gpt-4o-mini");
  await expect(quote(page)).toHaveAttribute("data-hold", withFiles.toString());
  await shot(page, "attachments-composer");

  // A PDF without a text layer is refused with its own message.
  await page.getByTestId("attach-input").setInputFiles([{ name: "扫描件.pdf", mimeType: "application/pdf", buffer: makePdf(null) }]);
  await expect(page.getByTestId("attachment-refusal")).toContainText("没有文字层");
  await expect(chips).toHaveCount(2);

  await page.getByTestId("send-button").click();
  const sent = page.getByTestId("message-user").last();
  await expect(sent.getByRole("img", { name: "截图.png" })).toBeVisible();
  await expect(sent.getByRole("link", { name: /report\.pdf/ })).toBeVisible();
  await expect(chips).toHaveCount(0);

  const reply = page.getByTestId("message-assistant").last();
  await expect(reply).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  await expect(reply.getByTestId("reply-text")).toContainText("收到一张 800×600 的图片");
  await expect(reply.getByTestId("reply-text")).toContainText("已读文件《report.pdf》，开头是“Quarterly Report”");
  const cost = BigInt((await reply.getAttribute("data-cost"))!);
  expect(cost).toBeGreaterThan(0n);
  expect(cost).toBeLessThanOrEqual(withFiles);
  await expect(reply.getByTestId("reply-cost")).toContainText(`${cost.toLocaleString("zh-CN")} tokens`);
  await expect(badge).toHaveAttribute("data-tokens", (before - cost).toString());

  // The thumbnail is served to its owner only; the reload shows the files again.
  const src = await sent.getByRole("img", { name: "截图.png" }).getAttribute("src");
  expect((await page.request.get(src!)).status()).toBe(200);
  await page.reload();
  const thumbnail = page.getByTestId("message-user").last().getByRole("img", { name: "截图.png" });
  await expect(thumbnail).toBeVisible();
  await thumbnail.scrollIntoViewIfNeeded();
  await shot(page, "attachments-sent");
  const stranger = await page.context().browser()!.newContext();
  expect((await stranger.request.get(new URL(src!, page.url()).toString())).status()).toBe(401);
  await stranger.close();
});
