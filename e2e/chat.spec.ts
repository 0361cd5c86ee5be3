import type { Page } from "@playwright/test";
import { test, expect, freshPhone, signIn } from "./fixtures";

const reply = (page: Page) => page.getByTestId("message-assistant").last();

async function balance(page: Page): Promise<bigint> {
  const badge = page.getByTestId("balance");
  await expect(badge).toHaveAttribute("data-tokens", /^\d+$/);
  return BigInt((await badge.getAttribute("data-tokens"))!);
}

/** Records every distinct length the streaming reply's text had, to count paints. */
async function watchPaints(page: Page) {
  await page.evaluate(() => {
    const w = window as unknown as { __paints: number[] };
    w.__paints = [];
    const list = document.querySelector('[data-testid="message-list"]')!;
    new MutationObserver(() => {
      const all = document.querySelectorAll('[data-testid="message-assistant"] [data-testid="reply-text"]');
      const last = all[all.length - 1];
      const n = last?.textContent?.length ?? 0;
      if (n > 0 && w.__paints[w.__paints.length - 1] !== n) w.__paints.push(n);
    }).observe(list, { subtree: true, childList: true, characterData: true });
  });
}

async function send(page: Page, text: string) {
  await page.getByTestId("composer-input").fill(text);
  await page.getByTestId("send-button").click();
}

async function settled(page: Page): Promise<{ status: string; cost: bigint }> {
  await expect(reply(page)).toHaveAttribute("data-status", /^(ok|interrupted|error)$/, { timeout: 30_000 });
  const r = reply(page);
  return { status: (await r.getAttribute("data-status"))!, cost: BigInt((await r.getAttribute("data-cost")) || "0") };
}

test.describe("chat", () => {
  test("pick a model, send, watch the reply stream in and the balance drop by exactly its cost", async ({ page }) => {
    await signIn(page, freshPhone());
    await page.goto("/chat");
    const before = await balance(page);

    await page.getByTestId("model-picker").click();
    await page.getByRole("textbox", { name: /搜索模型/ }).fill("gpt-4o mini");
    await page.getByTestId("model-option-gpt-4o-mini").click();
    await expect(page.getByTestId("model-name")).toHaveText("GPT-4o mini");

    await watchPaints(page);
    await send(page, "讲讲人工智能的发展历程");
    await expect(page.getByTestId("message-user").last()).toHaveText("讲讲人工智能的发展历程");
    const { status, cost } = await settled(page);
    expect(status).toBe("ok");
    expect(cost).toBeGreaterThan(0n);
    const paints = await page.evaluate(() => (window as unknown as { __paints: number[] }).__paints);
    expect(paints.length).toBeGreaterThanOrEqual(3);

    await expect(reply(page).getByTestId("reply-cost")).toHaveText(`${cost.toLocaleString("zh-CN")} tokens · GPT-4o mini`);
    await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", (before - cost).toString());
    await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);

    // The conversation is stored: a reload shows both messages and the same cost.
    await page.reload();
    await expect(page.getByTestId("message-user")).toHaveCount(1);
    await expect(reply(page)).toHaveAttribute("data-cost", cost.toString());
    await expect(page.getByTestId("conversation-list").getByText("讲讲人工智能的发展历程")).toBeAttached();
  });

  test("stop mid-stream keeps the partial reply and charges what the model produced until the stop; regenerate charges again", async ({ page }) => {
    await signIn(page, freshPhone());
    await page.goto("/chat");
    const before = await balance(page);
    // A long, slow demo answer (about 300 tokens at 25 tokens/s) so the stop lands mid-stream.
    const origin = new URL(page.url()).origin;
    await page.context().addCookies([{ name: "demo_knobs", value: encodeURIComponent(JSON.stringify({ "x-demo-tps": 25 })), url: origin }]);
    await send(page, "写一篇关于春天的短文");
    await expect(reply(page).getByTestId("reply-text")).not.toBeEmpty({ timeout: 30_000 });
    await page.getByTestId("stop-button").click();
    const stopped = await settled(page);
    expect(stopped.status).toBe("interrupted");
    await expect(reply(page).getByTestId("reply-interrupted")).toContainText("已停止");
    expect(stopped.cost).toBeGreaterThan(0n);
    await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", (before - stopped.cost).toString());

    // The full answer would have cost more than the stopped one: regenerate and compare.
    await page.context().clearCookies({ name: "demo_knobs" });
    await page.getByTestId("regenerate-button").click();
    await expect(reply(page)).toHaveAttribute("data-status", "streaming");
    const again = await settled(page);
    expect(again.status).toBe("ok");
    expect(again.cost).toBeGreaterThan(stopped.cost);
    await expect(page.getByTestId("message-assistant")).toHaveCount(1);
    await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", (before - stopped.cost - again.cost).toString());
  });

  test("no tokens left: nothing is sent or charged, and the message links to packs and plans", async ({ page }) => {
    await signIn(page, freshPhone());
    await page.goto("/chat");
    const r = await page.request.post("/api/dev/use-up-balance", { headers: { origin: new URL(page.url()).origin } });
    expect(r.ok()).toBe(true);
    await page.reload();
    await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", "0");
    await send(page, "你好");
    const problem = page.getByTestId("chat-problem");
    await expect(problem).toHaveAttribute("data-code", "insufficient_balance");
    await expect(problem.getByRole("link", { name: "购买加油包" })).toHaveAttribute("href", "/plans#packs");
    await expect(problem.getByRole("link", { name: "查看套餐" })).toHaveAttribute("href", "/plans");
    await expect(page.getByTestId("message-assistant")).toHaveCount(0);
    await expect(page.getByTestId("composer-input")).toHaveValue("你好");
    await expect(page).toHaveURL(/\/chat$/);
    await expect(page.getByTestId("balance")).toHaveAttribute("data-tokens", "0");
  });

  test("another user's conversation URL is a 404", async ({ page }) => {
    await signIn(page, freshPhone());
    await page.goto("/chat");
    await send(page, "你好");
    await settled(page);
    await expect(page).toHaveURL(/\/chat\/[0-9a-f-]{36}$/);
    const url = page.url();
    const res = await page.goto(url);
    expect(res?.status()).toBe(200);

    await page.context().clearCookies();
    await signIn(page, freshPhone());
    // A real 404: the not-found page, and nothing of the conversation leaks.
    const foreign = await page.goto(url);
    expect(foreign?.status()).toBe(404);
    await expect(page.getByText("页面不存在")).toBeVisible();
    await expect(page.getByTestId("composer-input")).toHaveCount(0);
    await expect(page.getByText("你好")).toHaveCount(0);
  });
});
