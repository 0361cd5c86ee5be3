import { test, expect, freshPhone, readCode, signInViaUi, DEMO } from "./fixtures";

test.describe("phone sign-in", () => {
  test("a new number signs up with the code from the dev inbox, then signs out", async ({ page }) => {
    const phone = freshPhone();
    await signInViaUi(page, phone);
    await expect(page).toHaveURL(/\/chat/);
    await expect(page.getByTestId("balance")).toBeVisible();
    await page.goto("/settings");
    await page.getByRole("button", { name: "退出登录" }).click();
    await page.waitForURL(/\/login/);
    await page.goto("/plans");
    await expect(page).toHaveURL(/\/login/);
  });

  test("the sign-in page lists demo accounts and links the dev inbox", async ({ page }) => {
    await page.goto("/login");
    const demo = page.getByTestId("demo-accounts");
    await expect(demo.getByText(DEMO.personal)).toBeVisible();
    await expect(demo.getByRole("link", { name: "打开开发收件箱" })).toHaveAttribute("href", "/dev/sms");
    await demo.getByText(DEMO.trial).click();
    await expect(page.getByLabel("手机号")).toHaveValue(DEMO.trial);
  });

  test("a wrong code is refused with the tries left", async ({ page }) => {
    const phone = freshPhone();
    await page.goto("/login");
    await page.getByLabel("手机号").fill(phone);
    await page.getByRole("button", { name: "获取验证码" }).click();
    const code = await readCode(page, phone);
    const wrong = code === "000000" ? "111111" : "000000";
    await page.getByLabel(/^验证码$/).fill(wrong);
    await page.getByRole("button", { name: /^登录$/ }).click();
    await expect(page.locator("#login-error")).toHaveText("验证码不正确，还可以再试 4 次");
    await expect(page).toHaveURL(/\/login/);
  });

  test("resending within 60 seconds is throttled", async ({ page }) => {
    const phone = freshPhone();
    await page.goto("/login");
    await page.getByLabel("手机号").fill(phone);
    await page.getByRole("button", { name: "获取验证码" }).click();
    await expect(page.getByRole("button", { name: /秒后重发/ })).toBeDisabled();
    // A second request bypassing the button's countdown is refused by the server too.
    await page.reload();
    await page.getByLabel("手机号").fill(phone);
    await page.getByRole("button", { name: "获取验证码" }).click();
    await expect(page.locator("#login-error")).toContainText("发送太频繁");
  });

  test("an expired code is refused", async ({ page, request }) => {
    const phone = freshPhone();
    await page.goto("/login");
    await page.getByLabel("手机号").fill(phone);
    await page.getByRole("button", { name: "获取验证码" }).click();
    const code = await readCode(page, phone);
    // Age the code past its 5 minutes through the demo-only clock hook.
    const r = await request.post("/api/dev/expire-codes", { data: { phone }, headers: { origin: new URL(page.url()).origin } });
    expect(r.ok()).toBeTruthy();
    await page.getByLabel(/^验证码$/).fill(code);
    await page.getByRole("button", { name: /^登录$/ }).click();
    await expect(page.locator("#login-error")).toHaveText("验证码已过期，请重新获取");
  });

  test("an app page while signed out goes to sign-in", async ({ page }) => {
    await page.goto("/chat");
    await expect(page).toHaveURL(/\/login/);
    await page.goto("/bills");
    await expect(page).toHaveURL(/\/login/);
  });

  test("health reports the embedded database", async ({ request }) => {
    const r = await request.get("/api/health");
    expect(r.status()).toBe(200);
    expect(await r.json()).toMatchObject({ ok: true, db: "pglite" });
  });
});
