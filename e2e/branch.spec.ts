import type { Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { test, expect, freshPhone, signIn } from "./fixtures";

const SHOTS = process.env.E2E_SHOTS_DIR || "test-results/shots";

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${test.info().project.name}-${name}.png` });
}

const lastReply = (page: Page) => page.getByTestId("message-assistant").last();
const lastQuestion = (page: Page) => page.getByTestId("message-user").last();

async function settled(page: Page) {
  await expect(lastReply(page)).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  return { text: (await lastReply(page).getByTestId("reply-text").innerText()).trim(), cost: BigInt((await lastReply(page).getAttribute("data-cost")) || "0") };
}

async function send(page: Page, text: string) {
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("send-button").click();
  await expect(lastQuestion(page).getByTestId("user-text")).toHaveText(text);
  return settled(page);
}

test("edit an earlier question, regenerate with another model, switch between versions with ‹ ›", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, freshPhone());
  await page.goto("/chat");
  await send(page, "介绍一下长城");
  const first = await send(page, "它有多长？");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);

  // Edit the second question: a new branch from there, with its own reply.
  await lastQuestion(page).getByRole("button", { name: "编辑" }).click();
  const box = page.getByTestId("edit-box");
  await box.getByRole("textbox", { name: "编辑这条消息" }).fill("它是什么时候修建的？");
  await box.getByRole("button", { name: "发送" }).click();
  await expect(lastQuestion(page).getByTestId("user-text")).toHaveText("它是什么时候修建的？");
  const edited = await settled(page);
  await expect(page.getByTestId("message-user")).toHaveCount(2);
  const qSwitch = lastQuestion(page).getByRole("group", { name: "第 2 个版本，共 2 个" });
  await expect(qSwitch).toBeVisible();

  // Regenerate the edited branch's reply with another model: a sibling reply, its own model and cost.
  await lastReply(page).getByRole("button", { name: "换个模型重新生成" }).click();
  await page.getByRole("textbox", { name: /搜索模型/ }).fill("gpt-4o mini");
  await page.getByTestId("model-option-gpt-4o-mini").click();
  const regenerated = await settled(page);
  await expect(lastReply(page)).toContainText("GPT-4o mini");
  await expect(lastReply(page).getByTestId("reply-cost")).toHaveText(`${regenerated.cost.toLocaleString("zh-CN")} tokens · GPT-4o mini`);
  await expect(lastReply(page).getByRole("group", { name: "第 2 个版本，共 2 个" })).toBeVisible();
  await expect(page.getByTestId("message-assistant")).toHaveCount(2);
  await shot(page, "branch");

  // ‹ on the reply: the first reply to the edited question, by the first model.
  await lastReply(page).getByRole("button", { name: "上一个版本" }).click();
  await expect(lastReply(page).getByTestId("reply-text")).toHaveText(edited.text, { useInnerText: true });
  await expect(lastReply(page).getByTestId("reply-cost")).toContainText("DeepSeek");
  // ‹ on the question: the original question and its reply.
  await lastQuestion(page).getByRole("button", { name: "上一个版本" }).click();
  await expect(lastQuestion(page).getByTestId("user-text")).toHaveText("它有多长？");
  await expect(lastReply(page).getByTestId("reply-text")).toHaveText(first.text, { useInnerText: true });
  await expect(lastQuestion(page).getByRole("group", { name: "第 1 个版本，共 2 个" })).toBeVisible();
  await lastQuestion(page).evaluate((el) => el.scrollIntoView({ block: "center" }));
  await shot(page, "branch-question");

  // The branch on screen is what the next message follows and what reopening shows.
  const followUp = await send(page, "再详细一点");
  expect(followUp.cost).toBeGreaterThan(0n);
  await page.reload();
  await expect(page.getByTestId("message-user")).toHaveCount(3);
  await expect(page.getByTestId("message-user").nth(1).getByTestId("user-text")).toHaveText("它有多长？");
  await expect(lastQuestion(page).getByTestId("user-text")).toHaveText("再详细一点");
  // › on the second question goes back to the edited branch, as it was left: the newest reply.
  // The switch is remembered by the server (a server action) without the screen waiting for it.
  const remembered = page.waitForResponse((r) => r.request().method() === "POST" && !!r.request().postData()?.includes("leafId"));
  // Right after a reload the buttons may be on screen before the page is interactive: press until it switches.
  await expect(async () => {
    if ((await lastQuestion(page).getByTestId("user-text").innerText()) !== "它是什么时候修建的？") {
      await page.getByTestId("message-user").nth(1).getByRole("button", { name: "下一个版本" }).click({ timeout: 2_000 });
    }
    await expect(lastQuestion(page).getByTestId("user-text")).toHaveText("它是什么时候修建的？", { timeout: 2_000 });
  }).toPass();
  expect((await remembered).ok()).toBe(true);
  await expect(lastReply(page).getByTestId("reply-text")).toHaveText(regenerated.text, { useInnerText: true });
  await page.reload();
  await expect(lastQuestion(page).getByTestId("user-text")).toHaveText("它是什么时候修建的？");
  await shot(page, "branch-switched");
});

async function balance(page: Page): Promise<bigint> {
  const badge = page.getByTestId("balance");
  await expect(badge).toHaveAttribute("data-tokens", /^\d+$/);
  return BigInt((await badge.getAttribute("data-tokens"))!);
}

test("three models side by side: three charges that add up on the bill, then pick one and continue", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, freshPhone());
  await page.goto("/chat");
  const before = await balance(page);

  // Choose the models: the composer's model is already in, add two.
  await page.getByRole("button", { name: "多模型对比" }).click();
  const sheet = page.getByRole("dialog", { name: "多模型对比" });
  await sheet.getByRole("textbox", { name: /搜索模型/ }).fill("gpt-4o mini");
  await sheet.getByTestId("compare-option-gpt-4o-mini").click();
  await sheet.getByRole("textbox", { name: /搜索模型/ }).fill("qwen plus");
  await sheet.getByTestId("compare-option-qwen-plus").click();
  await expect(sheet.getByTestId("compare-chosen")).toContainText("GPT-4o mini");
  await sheet.getByRole("button", { name: "开始对比" }).click();
  await expect(page.getByTestId("compare-models")).toContainText("对比 3 个");

  // The quote covers all three: each model's hold and their sum.
  await page.getByTestId("composer-input").fill("用三句话介绍杭州");
  await expect(page.getByTestId("compare-quote")).toHaveAttribute("data-hold", /^\d+$/);
  await expect(page.getByTestId("compare-quote-models")).toContainText("Qwen Plus");
  await page.getByTestId("send-button").click();

  const columns = page.getByTestId("compare-column");
  await expect(columns).toHaveCount(3);
  let sum = 0n;
  for (let i = 0; i < 3; i++) {
    await expect(columns.nth(i)).toHaveAttribute("data-state", "done", { timeout: 30_000 });
    const cost = BigInt((await columns.nth(i).getAttribute("data-cost")) || "0");
    expect(cost).toBeGreaterThan(0n);
    await expect(columns.nth(i).getByTestId("compare-cost")).toHaveText(`${cost.toLocaleString("zh-CN")} tokens`);
    sum += cost;
  }
  // Three holds, three settles: the balance dropped by exactly their sum.
  await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", (before - sum).toString());
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  await shot(page, "compare");
  await page.getByTestId("compare").evaluate((el) => el.scrollIntoView({ block: "start" }));
  await shot(page, "compare-top");

  // Pick GPT-4o mini's answer: it continues the conversation, the others stay as its siblings.
  const picked = columns.nth(1);
  await expect(picked).toHaveAttribute("data-model", "gpt-4o-mini");
  await picked.getByRole("button", { name: "用这个继续" }).click();
  await expect(page.getByTestId("compare")).toHaveCount(0);
  await expect(lastReply(page).getByTestId("reply-cost")).toContainText("GPT-4o mini");
  await expect(lastReply(page).getByRole("group", { name: "第 2 个版本，共 3 个" })).toBeVisible();
  await expect(page.getByTestId("model-name")).toHaveText("GPT-4o mini");
  const next = await send(page, "再说说西湖");
  expect(next.cost).toBeGreaterThan(0n);
  await expect(lastReply(page).getByTestId("reply-cost")).toContainText("GPT-4o mini");
  await shot(page, "compare-picked");

  // The bill shows each use: three answers and the follow-up, at their own models.
  await page.goto("/bills");
  await page.getByTestId("bill-row").first().click();
  const rows = page.getByTestId("usage-row");
  await expect(rows).toHaveCount(4);
  for (const name of ["GPT-4o mini", "Qwen Plus", "DeepSeek"]) await expect(rows.filter({ hasText: name }).first()).toBeVisible();
  await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", (before - sum - next.cost).toString());
});
