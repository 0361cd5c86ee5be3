import { test, expect, signIn, DEMO } from "./fixtures";

// English is a switch away: every signed-in page renders in it (no error page, no message key),
// for an account with a plan and a family, whose pages show the most.
const PAGES = ["/chat", "/models", "/assistants", "/plans", "/bills", "/family", "/keys", "/settings"];
/** A heading in English: Latin letters, no Chinese characters. */
const ENGLISH = /^[^\u4e00-\u9fff]*[A-Za-z][^\u4e00-\u9fff]*$/;

test("every signed-in page renders in English after the switch, and the switch goes back", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, DEMO.familyOwner);
  // 我的 (/settings) has the switch on every screen size; wider screens have one in the header too.
  await page.goto("/settings");
  await page.getByRole("button", { name: /语言/ }).filter({ visible: true }).first().click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  for (const path of PAGES) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBeLessThan(400);
    await expect(page.locator("html"), path).toHaveAttribute("lang", "en");
    if (path !== "/chat") await expect(page.getByRole("heading", { level: 1 }).first(), path).toHaveText(ENGLISH);
  }
  await page.goto("/plans");
  await expect(page.getByRole("button", { name: /Upgrade|Subscribe/ }).first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("plans-en.png"), fullPage: true });

  await page.goto("/settings");
  await page
    .getByRole("button", { name: /Language/ })
    .filter({ visible: true })
    .first()
    .click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
});
