import { test, expect, signIn, freshPhone, DEMO } from "./fixtures";

// One new account per worker: sign-in codes are rate-limited per phone, and worker restarts lose the session cache.
const PHONE = freshPhone();

test.describe("model supermarket", () => {
  test("GET /api/models lists at least 300 models with weights, publicly and cacheable", async ({ request }) => {
    const res = await request.get("/api/models");
    expect(res.status()).toBe(200);
    expect(res.headers()["cache-control"]).toContain("public");
    const body = await res.json();
    expect(body.count).toBeGreaterThanOrEqual(300);
    expect(new Set(body.data.map((m: { id: string }) => m.id)).size).toBe(body.count);
    const ds = body.data.find((m: { id: string }) => m.id === "deepseek-chat");
    expect(ds).toMatchObject({
      name: expect.any(String),
      weights: { inMicro: expect.any(Number), outMicro: expect.any(Number) },
      limits: { context: expect.any(Number) },
    });
    // The slug stays; DeepSeek now serves it as deepseek-flash (lib/catalog/data/cn-providers.json).
    expect(ds.providers[0]).toMatchObject({ id: "deepseek", modelId: "deepseek-flash" });
    expect(body.referencePrice.usdPerM).toBeGreaterThan(0);
    for (const m of body.data) expect(m.weights.inMicro).toBeGreaterThan(0);
  });

  test("search, filters and sort live in the URL", async ({ page }) => {
    test.setTimeout(120_000);
    await signIn(page, PHONE);
    await page.goto("/models");
    await expect(page.getByRole("heading", { name: /模型超市|Model supermarket/ })).toBeVisible();
    const count = page.getByTestId("result-count");
    const all = Number(await count.getAttribute("data-total"));
    expect(all).toBeGreaterThanOrEqual(300);
    await expect(page.getByTestId("model-card")).toHaveCount(24);
    // The charging rule is published where people choose a model.
    await expect(page.getByRole("heading", { name: /未出结果不收费|No result, no charge/ })).toBeVisible();

    // Search
    await page.getByTestId("model-search").fill("deepseek");
    await expect(page).toHaveURL(/[?&]q=deepseek/);
    await expect(page.locator('[data-model-id="deepseek-chat"]')).toBeVisible();
    const found = Number(await count.getAttribute("data-total"));
    expect(found).toBeLessThan(all);
    for (const id of await page.getByTestId("model-card").evaluateAll((els) => els.map((e) => e.getAttribute("data-model-id")))) expect(id).toBeTruthy();

    // Capability chip: before it, some cards of the search do not reason; after it, none.
    const notReasoning = page.locator('[data-testid="model-card"]:not(:has([data-capability="reasoning"]))');
    expect(await notReasoning.count()).toBeGreaterThan(0);
    await page.getByTestId("cap-reasoning").click();
    await expect(page).toHaveURL(/cap=reasoning/);
    await expect(notReasoning).toHaveCount(0);
    await expect(page.locator('[data-model-id="deepseek-reasoner"]')).toBeVisible();
    const cards = page.getByTestId("model-card");
    const n = await cards.count();
    for (let i = 0; i < n; i++) await expect(cards.nth(i).locator('[data-capability="reasoning"]')).toHaveCount(1);

    // Provider, context and price filters in the panel
    await page.getByTestId("toggle-filters").click();
    await page.getByTestId("filter-provider").selectOption("deepseek");
    await expect(page).toHaveURL(/provider=deepseek/);
    await page.getByTestId("filter-ctx").selectOption("32k");
    await expect(page).toHaveURL(/ctx=32k/);
    await expect(page.locator('[data-model-id="deepseek-reasoner"]')).toBeVisible();

    // The URL restores the state on reload
    await page.reload();
    await expect(page.getByTestId("model-search")).toHaveValue("deepseek");
    await expect(page.getByTestId("cap-reasoning")).toHaveAttribute("aria-pressed", "true");
    await expect(page.locator('[data-model-id="deepseek-reasoner"]')).toBeVisible();

    // Clear, then sort by price (cheapest first)
    await page.getByTestId("clear-filters").click();
    await expect(page).toHaveURL(/\/models$/);
    await expect(count).toHaveAttribute("data-total", String(all));
    await page.getByTestId("model-sort").selectOption("price-desc");
    await expect(page).toHaveURL(/sort=price-desc/);
    const out = await page.getByTestId("weight-out").allTextContents();
    const nums = out.map((s) => Number(s.replace(/[^\d.]/g, "")));
    expect(nums[0]).toBeGreaterThanOrEqual(nums[nums.length - 1]);

    // Price band filter (the panel may still be open)
    if ((await page.getByTestId("toggle-filters").getAttribute("aria-expanded")) !== "true") await page.getByTestId("toggle-filters").click();
    await page.getByTestId("filter-price").selectOption("budget");
    await expect(page).toHaveURL(/price=budget/);
    const budget = await page.getByTestId("weight-out").allTextContents();
    for (const s of budget) expect(Number(s.replace(/[^\d.]/g, ""))).toBeLessThanOrEqual(1000);
  });

  test("pages through all models without horizontal overflow", async ({ page }) => {
    await signIn(page, PHONE);
    await page.goto("/models");
    await expect(page.getByTestId("page-indicator")).toContainText("1");
    await page.getByTestId("page-next").click();
    await expect(page).toHaveURL(/page=2/);
    await expect(page.getByTestId("model-card")).toHaveCount(24);
    await page.getByTestId("page-prev").click();
    await expect(page).not.toHaveURL(/page=/);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });

  test("signed-in pages arrive whole in their first HTML, nothing streamed in after the first paint", async ({ page }) => {
    await signIn(page, PHONE);
    // A <Suspense> boundary whose content is not ready when the shell is sent streams it in later
    // ("<!--$?-->", a hidden segment swapped in by script): content would appear after the first
    // paint and move what is below it, and a not-found page would answer 200. Pages here render
    // whole: every boundary in their HTML is complete ("<!--$-->").
    for (const path of ["/models", "/chat", "/bills", "/plans"]) {
      const res = await page.request.get(path);
      expect(res.status()).toBe(200);
      const html = await res.text();
      expect(html, path).not.toContain("<!--$?-->");
      expect(html, path).not.toContain('<div hidden id="S:');
    }
    const html = await (await page.request.get("/models")).text();
    expect(html.match(/data-testid="model-card"/g)).toHaveLength(24);
    expect((await page.request.get("/chat/00000000-0000-4000-8000-000000000000")).status()).toBe(404);
  });

  test("cards, the menu and bill rows open their pages in the app, without loading a new document", async ({ page }) => {
    // The demo subscriber: a plan, and so a bill to open.
    await signIn(page, DEMO.personal);
    await page.goto("/models?q=deepseek-chat");
    // The links are plain <a> with one listener per list; once it is on, a tap stays in the app.
    await expect(page.getByTestId("model-list")).toHaveAttribute("data-links", "app");
    await page.evaluate(() => ((window as unknown as { stayed: number }).stayed = 1));
    const stayed = () => page.evaluate(() => (window as unknown as { stayed?: number }).stayed);
    await page.locator('[data-model-id="deepseek-chat"]').click();
    await expect(page).toHaveURL(/\/models\/deepseek-chat$/);
    await expect(page.getByRole("heading", { name: /DeepSeek/ })).toBeVisible();
    expect(await stayed()).toBe(1);
    // The menu: the bottom bar on a phone, the side bar on a desktop.
    const menu = page.locator("nav[data-links=app]:visible");
    await expect(menu).toHaveCount(1);
    await menu.locator('a[href="/bills"]').click();
    await expect(page).toHaveURL(/\/bills$/);
    await expect(menu.locator('a[href="/bills"]')).toHaveAttribute("aria-current", "page");
    expect(await stayed()).toBe(1);
    // A bill's row opens it in the app too.
    await page.getByTestId("bill-row").first().click();
    await expect(page).toHaveURL(/\/bills\/[0-9a-f-]{36}/);
    await expect(page.getByTestId("usage-page")).toBeVisible();
    expect(await stayed()).toBe(1);
    // A modified click is left to the browser: the app does not navigate this page.
    await menu.locator('a[href="/models"]').click({ modifiers: ["Shift"] });
    await expect(page).toHaveURL(/\/bills\/[0-9a-f-]{36}/);
  });

  test("a model page shows plan tokens per 1K, limits, providers and what the plan buys", async ({ page }) => {
    await signIn(page, PHONE);
    await page.goto("/models?q=deepseek-chat");
    await page.locator('[data-model-id="deepseek-chat"]').click();
    await expect(page).toHaveURL(/\/models\/deepseek-chat$/);
    await expect(page.getByRole("heading", { name: /DeepSeek/ })).toBeVisible();
    // DeepSeek's list price (deepseek-flash at peak hours), ¥2 / ¥8 per million, at the catalog's reference rate.
    await expect(page.getByTestId("per1k-input")).toHaveText("278");
    await expect(page.getByTestId("per1k-output")).toHaveText("1,111");
    await expect(page.getByTestId("spec-context")).toContainText("1,000,000");
    await expect(page.locator('[data-testid="provider-row"][data-provider-id="deepseek"]')).toBeVisible();
    const replies = Number(await page.getByTestId("plan-replies").getAttribute("data-replies"));
    expect(replies).toBeGreaterThan(0);
    // The e2e server runs in demo mode without provider keys: the model answers from the demo upstream.
    await expect(page.getByTestId("badge-demo").first()).toBeVisible();
    await expect(page.getByTestId("start-chat")).toHaveAttribute("href", "/chat?model=deepseek-chat");

    // An explicit allowance sizes the estimate: 15M plan tokens / ⌈500 × 1.111112⌉ = 15M / 556 = 26,978 replies.
    await page.goto("/models/deepseek-chat?allowance=15000000");
    await expect(page.getByTestId("plan-replies")).toHaveAttribute("data-replies", "26978");

    await page.goto("/models/no-such-model");
    await expect(page.getByText(/页面不存在|not found/i)).toBeVisible();
  });
});
