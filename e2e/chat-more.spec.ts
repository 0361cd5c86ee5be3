import type { Page } from "@playwright/test";
import { mkdirSync } from "node:fs";
import { test, expect, freshPhone, signIn } from "./fixtures";

const SHOTS = process.env.E2E_SHOTS_DIR || "test-results/shots";

async function shot(page: Page, name: string) {
  mkdirSync(SHOTS, { recursive: true });
  await page.screenshot({ path: `${SHOTS}/${test.info().project.name}-${name}.png` });
}

async function send(page: Page, text: string) {
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("send-button").click();
  const reply = page.getByTestId("message-assistant").last();
  await expect(reply).toHaveAttribute("data-status", "ok", { timeout: 30_000 });
  return reply;
}

const phone = () => test.info().project.name === "phone";

test("model page, nickname, search in Chinese, share link signed out then revoked, export, an assistant chat", async ({ page, browser }) => {
  test.setTimeout(240_000);
  await signIn(page, freshPhone());

  // "开始对话" on a model's page opens the chat on that model.
  await page.goto("/models/gpt-4o-mini");
  await page.getByTestId("start-chat").click();
  await expect(page).toHaveURL(/\/chat\?model=gpt-4o-mini/);
  await expect(page.getByTestId("model-name")).toHaveText("GPT-4o mini");
  // An id the catalog does not serve falls back to the default model.
  await page.goto("/chat?model=no-such-model");
  await expect(page.getByTestId("model-name")).toHaveText(/DeepSeek/);

  // A nickname in 我的 becomes the avatar's initial.
  await page.goto("/settings");
  await page.getByRole("button", { name: "设置昵称" }).click();
  await page.getByLabel("昵称", { exact: true }).fill("  阿明  ");
  await page.getByRole("dialog").getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("profile-name")).toHaveText("阿明");
  await expect(page.getByTestId("account-menu")).toHaveText("阿");

  // Two turns; the second one's words are only in the content, not the title.
  await page.goto("/chat");
  await send(page, "讲讲复利和单利的区别");
  await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
  const conversationId = page.url().split("/").pop()!;
  await send(page, "顺便说说番茄炒蛋怎么做才好吃");

  // Search as you type, Chinese substring of the content, snippet highlighted.
  if (phone()) await page.getByRole("button", { name: "对话列表" }).click();
  const search = page.getByRole("searchbox", { name: "搜索对话" });
  await search.fill("番茄炒蛋");
  const hit = page.getByTestId("search-hit");
  await expect(hit).toHaveCount(1);
  await expect(hit.locator("mark")).toHaveText("番茄炒蛋");
  await expect(hit).toContainText("讲讲复利和单利的区别");
  await shot(page, "search");
  await search.fill("没有这种内容的对话");
  await expect(page.getByText("没有找到包含“没有这种内容的对话”的对话")).toBeVisible();
  await search.fill("");
  if (phone()) await page.keyboard.press("Escape");

  // Share: a public link, opened signed out, with no account data or costs.
  await page.getByRole("button", { name: "分享与导出" }).click();
  const dialog = page.getByRole("dialog");
  await dialog.getByRole("button", { name: "创建公开链接" }).click();
  const url = await dialog.getByTestId("share-url").inputValue();
  expect(url).toMatch(/\/share\/[A-Za-z0-9_-]{32}$/);

  const stranger = await browser.newContext({ viewport: page.viewportSize()!, locale: "zh-CN" });
  const visitor = await stranger.newPage();
  const res = await visitor.goto(url);
  expect(res!.status()).toBe(200);
  expect(res!.headers()["x-robots-tag"]).toContain("noindex");
  await expect(visitor.locator('meta[name="robots"]')).toHaveAttribute("content", /noindex/);
  await expect(visitor.getByTestId("shared-title")).toHaveText("讲讲复利和单利的区别");
  await expect(visitor.getByTestId("shared-user")).toHaveCount(2);
  await expect(visitor.getByTestId("shared-assistant")).toHaveCount(2);
  const body = await visitor.locator("body").innerText();
  expect(body).not.toMatch(/tokens ·|阿明|139\d{4}/);
  await shot(visitor, "share");

  // Export: the owner downloads Markdown and JSON; signed out is refused, a foreign id is a 404.
  const md = await page.request.get(`/api/chat/${conversationId}/export?format=md`);
  expect(md.status()).toBe(200);
  expect(await md.text()).toContain("## 你\n\n顺便说说番茄炒蛋怎么做才好吃");
  const json = await page.request.get(`/api/chat/${conversationId}/export?format=json`);
  expect((await json.json()).messages).toHaveLength(4);
  expect((await visitor.request.get(`/api/chat/${conversationId}/export?format=md`)).status()).toBe(401);
  expect((await page.request.get(`/api/chat/00000000-0000-4000-8000-000000000000/export?format=md`)).status()).toBe(404);

  // Revoke: the link is a 404 at once.
  await dialog.getByRole("button", { name: /取消分享/ }).click();
  await expect(dialog.getByRole("button", { name: "创建公开链接" })).toBeVisible();
  expect((await visitor.goto(url))!.status()).toBe(404);
  await stranger.close();
  await page.keyboard.press("Escape");

  // An assistant from the gallery: its opening line, then a reply that is charged.
  await page.goto("/assistants");
  await expect(page.getByTestId("assistant-card")).toHaveCount(8);
  // One's own: created from the form, listed under 我的技能包.
  await page.getByTestId("assistant-new").click();
  const form = page.getByRole("dialog");
  await form.getByLabel("名称", { exact: true }).fill("英文邮件助手");
  await form.getByLabel("系统提示词").fill("你是英文商务邮件助手：把用户的中文要点写成得体的英文邮件。");
  await form.getByLabel("开场白").fill("说说这封邮件要写给谁、写什么。");
  await shot(page, "assistant-form");
  await form.getByRole("button", { name: "保存" }).click();
  await expect(page.getByTestId("my-assistant")).toHaveCount(1);
  await expect(page.getByTestId("my-assistant")).toContainText("英文邮件助手");
  await shot(page, "assistants");
  await page.getByRole("link", { name: "开始对话：中英互译" }).click();
  await expect(page).toHaveURL(/\/chat\?assistant=builtin%3Atranslate|\/chat\?assistant=builtin:translate/);
  await expect(page.getByTestId("assistant-intro")).toContainText("中英互译");
  await expect(page.getByTestId("opening-line")).toHaveText("发来中文或英文，我直接给你译文。");
  await shot(page, "assistant-chat");
  const reply = await send(page, "今天天气很好");
  expect(BigInt((await reply.getAttribute("data-cost")) || "0")).toBeGreaterThan(0n);
});
