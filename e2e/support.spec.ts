import { existsSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { test, expect, signIn as signInOnce, signInViaUi, freshPhone, readCode, DEMO, serverKey } from "./fixtures";

// The customer-service console: staff only (everyone else sees a plain 404), lookup with
// masked phones, an audited refund and an audited unmasking.

// A phone may get a sign-in code once a minute: keep the session on disk so the tests of one
// project (one server, playwright.config.ts) share one real sign-in per phone.
async function signIn(page: import("@playwright/test").Page, phone: string) {
  const file = path.join(os.tmpdir(), `unitoken-e2e-support-${serverKey()}-${phone}.json`);
  if (existsSync(file)) {
    await page.context().addCookies(JSON.parse(readFileSync(file, "utf8")));
    await page.goto("/");
    if (!/\/login/.test(page.url())) return;
    await page.context().clearCookies();
  }
  await signInOnce(page, phone);
  writeFileSync(file, JSON.stringify(await page.context().cookies()));
}

const SUPPORT_URLS = ["/support", "/support/audit", "/support/approvals", "/support/accounts/00000000-0000-4000-8000-000000000000", "/support/anything"];

async function expect404(page: import("@playwright/test").Page, url: string) {
  const res = await page.goto(url);
  expect(res?.status(), url).toBe(404);
  expect(new URL(page.url()).pathname, "no redirect").toBe(url);
  await expect(page.getByText("页面不存在")).toBeVisible();
  await expect(page.getByText("客服工作台")).toHaveCount(0);
}

test.describe("support console access", () => {
  test("signed out: every /support URL is a 404, not a redirect", async ({ page }) => {
    for (const url of SUPPORT_URLS) await expect404(page, url);
  });

  test("a subscriber gets a 404 on every /support URL", async ({ page }) => {
    await signIn(page, DEMO.personal);
    for (const url of SUPPORT_URLS) await expect404(page, url);
  });

  test("a family owner gets a 404 on every /support URL", async ({ page }) => {
    await signIn(page, DEMO.familyOwner);
    for (const url of SUPPORT_URLS) await expect404(page, url);
  });
});

test.describe("support console for staff", () => {
  test("staff find 张伟 by last 4 digits + name and refund one usage row, on the record", async ({ page }, testInfo) => {
    await signIn(page, DEMO.staff);
    await page.goto("/support");
    await expect(page.getByRole("heading", { name: "查找账号" })).toBeVisible();

    await page.getByLabel("手机号 / ID / 扣费单号").fill("0001");
    await page.getByRole("button", { name: "查找" }).click();
    await expect(page.getByText("按尾号查询时需要填写姓名")).toBeVisible();

    await page.getByLabel("姓名").fill("张伟");
    await page.getByRole("button", { name: "查找" }).click();
    const results = page.getByTestId("lookup-results");
    await expect(results.getByText("138****0001").filter({ visible: true })).toBeVisible();
    await expect(results).not.toContainText("13800000001");
    await results.getByRole("link").filter({ visible: true }).first().click();
    await page.waitForURL(/\/support\/accounts\//);

    const account = page.getByTestId("support-account");
    await expect(account.getByTestId("account-phone")).toHaveText("138****0001");
    const usage = page.getByTestId("usage-section");
    const rowsBefore = await usage.getByRole("button", { name: /退还/ }).filter({ visible: true }).count();
    expect(rowsBefore).toBeGreaterThan(0);
    const refundedBefore = await usage.getByText("已退还").filter({ visible: true }).count();

    await usage.getByRole("button", { name: /退还/ }).filter({ visible: true }).first().click();
    const dialog = page.getByRole("dialog");
    await expect(dialog.getByRole("heading", { name: "退还这次用量" })).toBeVisible();
    // No reason, no action: the form does not submit.
    await dialog.getByRole("button", { name: "确认" }).click();
    await expect(dialog.getByLabel("原因")).toHaveValue("");
    await expect(dialog.getByText("操作成功")).toHaveCount(0);
    await dialog.getByLabel("原因").selectOption({ label: "扣费错误" });
    await dialog.getByLabel("备注").fill("用户反馈回答中断，退还本次用量");
    await dialog.getByRole("button", { name: "确认" }).click();
    // The outcome is shown above the page: the refunded row loses its button as the account
    // refreshes behind it, and the outcome stays until it is closed.
    const result = page.getByTestId("refund-dialog-result");
    await expect(result.getByRole("heading", { name: "退还这次用量" })).toBeVisible();
    await expect(result.getByText("操作成功，已记入审计日志")).toBeVisible();
    await expect(usage.getByText("已退还").filter({ visible: true })).toHaveCount(refundedBefore + 1);
    await expect(result).toBeVisible();
    await page.screenshot({ path: testInfo.outputPath(`refund-result-${testInfo.project.name}.png`) });
    await result.getByRole("button", { name: "关闭" }).first().click();
    await expect(page.getByRole("dialog")).toHaveCount(0);

    const audit = page.getByTestId("account-audit");
    await expect(audit.locator('[data-action="refund_usage"]').first()).toContainText("用户反馈回答中断，退还本次用量");
    await expect(audit.locator('[data-action="refund_usage"]').first()).toContainText("客服小刘");

    // The global log has it too, filterable by action.
    await page.goto("/support/audit?action=refund_usage");
    await expect(page.getByTestId("audit-entry").first()).toContainText("扣费错误");
  });

  test("unmasking a phone needs a reason and is audited", async ({ page }) => {
    await signIn(page, DEMO.staff);
    await page.goto("/support");
    await page.getByLabel("手机号 / ID / 扣费单号").fill(DEMO.trial);
    await page.getByRole("button", { name: "查找" }).click();
    await page.getByTestId("lookup-results").getByRole("link").filter({ visible: true }).first().click();
    await page.waitForURL(/\/support\/accounts\//);
    await expect(page.getByTestId("account-phone")).toHaveText("138****0002");
    const unmaskedBefore = await page.getByTestId("account-audit").locator('[data-action="unmask_phone"]').count();
    await page.getByRole("button", { name: "显示完整号码" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("原因").selectOption({ label: "已核实身份" });
    await dialog.getByRole("button", { name: "显示号码" }).click();
    await expect(page.getByTestId("account-phone")).toHaveText(DEMO.trial);
    await page.reload();
    await expect(page.getByTestId("account-phone")).toHaveText("138****0002");
    await expect(page.getByTestId("account-audit").locator('[data-action="unmask_phone"]')).toHaveCount(unmaskedBefore + 1);
  });

  test("a paid plan change for a customer is confirmed with the code texted to them", async ({ page, browser }, testInfo) => {
    // A new customer (sign-up is sign-in), so every plan is a purchase for them.
    const phone = freshPhone();
    const customer = await browser.newContext();
    await signInViaUi(await customer.newPage(), phone);
    await customer.close();

    await signIn(page, DEMO.staff);
    await page.goto("/support");
    await page.getByLabel("手机号 / ID / 扣费单号").fill(phone);
    await page.getByRole("button", { name: "查找" }).click();
    await page.getByTestId("lookup-results").getByRole("link").filter({ visible: true }).first().click();
    await page.waitForURL(/\/support\/accounts\//);
    await expect(page.getByTestId("self-dealing-notice")).toHaveCount(0);

    await page.getByRole("button", { name: "修改套餐" }).click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("新套餐").selectOption({ index: 0 });
    const confirmation = dialog.getByRole("group", { name: "用户确认" });
    await expect(confirmation).toContainText(/¥\d+\.\d/); // the first month is prorated by the days left
    // No code yet: the purchase cannot be confirmed.
    await expect(dialog.getByRole("button", { name: "确认购买" })).toBeDisabled();
    // The code needs a reason on record first.
    await confirmation.getByRole("button", { name: "发送验证码给用户" }).click();
    await expect(confirmation.getByRole("status")).toHaveText("请先选择原因再发送验证码");
    await dialog.getByLabel("原因").selectOption({ label: "用户要求" });
    await dialog.getByLabel("备注").fill("用户来电开通轻享版");
    const sentAt = Date.now();
    await confirmation.getByRole("button", { name: "发送验证码给用户" }).click();
    await expect(confirmation.getByRole("status")).toContainText("验证码已发送到用户手机");
    const code = await readCode(page, phone, "购买", sentAt);
    await confirmation.getByLabel("用户读出的验证码").fill(code);
    if (testInfo.project.name === "phone") await page.screenshot({ path: testInfo.outputPath("purchase-confirmation-390x844.png") });
    await dialog.getByRole("button", { name: "确认购买" }).click();
    await expect(page.getByTestId("change-plan-dialog-result").getByText("操作成功，已记入审计日志")).toBeVisible();

    const audit = page.getByTestId("account-audit");
    await expect(audit.locator('[data-action="change_plan"]')).toHaveCount(1);
    await expect(audit.locator('[data-action="purchase_code_sent"]')).toHaveCount(1);
  });

  test("staff see their own account without money actions", async ({ page }) => {
    await signIn(page, DEMO.staff);
    await page.goto("/support");
    await page.getByLabel("手机号 / ID / 扣费单号").fill(DEMO.staff);
    await page.getByRole("button", { name: "查找" }).click();
    await page.getByTestId("lookup-results").getByRole("link").filter({ visible: true }).first().click();
    await page.waitForURL(/\/support\/accounts\//);
    await expect(page.getByTestId("self-dealing-notice")).toBeVisible();
    await expect(page.getByRole("button", { name: "赠送额度" })).toBeDisabled();
    await expect(page.getByRole("button", { name: "修改套餐" })).toBeDisabled();
  });
});
