import { test, expect, signIn, DEMO } from "./fixtures";

// English is a switch away: every signed-in page renders in it (no error page, no message key),
// for an account with a plan and a family, whose pages show the most.
const PAGES: [path: string, heading: RegExp][] = [
  ["/chat", /./],
  ["/models", /Models/],
  ["/assistants", /Assistants/],
  ["/plans", /Plans/],
  ["/bills", /Bills/],
  ["/family", /Family/],
  ["/keys", /API keys/],
  ["/settings", /Me|Settings/],
];

test("every signed-in page renders in English after the switch, and the switch goes back", async ({ page }) => {
  test.setTimeout(180_000);
  await signIn(page, DEMO.familyOwner);
  await page.goto("/plans");
  await page.getByRole("button", { name: /语言/ }).first().click();
  await expect(page.locator("html")).toHaveAttribute("lang", "en");

  for (const [path, heading] of PAGES) {
    const res = await page.goto(path);
    expect(res?.status(), path).toBeLessThan(400);
    await expect(page.locator("html"), path).toHaveAttribute("lang", "en");
    if (path !== "/chat") await expect(page.getByRole("heading", { level: 1 }).first(), path).toHaveText(heading);
  }
  await page.goto("/plans");
  await expect(page.getByRole("button", { name: /Upgrade|Subscribe/ }).first()).toBeVisible();
  await page.screenshot({ path: test.info().outputPath("plans-en.png"), fullPage: true });

  await page
    .getByRole("button", { name: /Language/ })
    .first()
    .click();
  await expect(page.locator("html")).toHaveAttribute("lang", "zh-CN");
});
