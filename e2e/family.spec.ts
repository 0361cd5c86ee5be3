import type { Browser, BrowserContext, Page, TestInfo } from "@playwright/test";
import { test, expect, freshPhone, signIn, DEMO } from "./fixtures";

// Family sharing end to end, with two people in two browsers: the owner (王芳, ¥199.9 family
// tier in the demo seed) invites a new number; the invitee signs in, accepts, uses the pool
// (through the OpenAI-compatible API with their own key), and the owner sees usage totals but
// never the text; a tiny cap stops the member with a clear message; removal takes effect at once.

const SECRET = "请帮我保密：下周三给妈妈准备生日惊喜";
const mask = (p: string) => `${p.slice(0, 3)}****${p.slice(7)}`;

async function secondContext(browser: Browser, testInfo: TestInfo): Promise<BrowserContext> {
  const use = testInfo.project.use;
  return browser.newContext({
    baseURL: use.baseURL,
    viewport: use.viewport,
    userAgent: use.userAgent,
    deviceScaleFactor: use.deviceScaleFactor,
    isMobile: use.isMobile,
    hasTouch: use.hasTouch,
    locale: "zh-CN",
    timezoneId: "Asia/Shanghai",
  });
}

/** Creates an API key for the signed-in user and returns a caller for chat completions. */
async function makeKey(page: Page) {
  await page.goto("/keys");
  await page.getByTestId("create-key").click();
  await page.getByLabel(/^名称$|^Name$/).fill("家庭 e2e");
  await page.getByRole("button", { name: /^创建$|^Create$/ }).click();
  const key = (await page.getByTestId("new-key").textContent())!.trim();
  await page.getByRole("button", { name: /我已保存|I've saved it/ }).click();
  const baseUrl = (await page.getByTestId("base-url").textContent())!.trim();
  return (content: string) =>
    page.request.post(`${baseUrl}/chat/completions`, {
      headers: { authorization: `Bearer ${key}`, "x-demo-ttft-ms": "0", "x-demo-tps": "0" },
      data: { model: "deepseek-chat", messages: [{ role: "user", content }], max_tokens: 16 },
    });
}

function memberRow(page: Page, phone: string) {
  return page.getByTestId("family-member").filter({ has: page.getByText(mask(phone), { exact: true }) });
}

async function memberMenu(page: Page, phone: string, item: RegExp) {
  await memberRow(page, phone).getByTestId("member-actions").click();
  await page.getByRole("menuitem", { name: item }).click();
}

test("owner invites, member accepts and uses the pool, owner sees totals not text, cap, removal", async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  const phone = freshPhone();

  // Owner: invite a new number.
  await signIn(page, DEMO.familyOwner);
  await page.goto("/family");
  await expect(page.getByRole("heading", { name: "家庭共享" })).toBeVisible();
  await expect(page.getByTestId("family-pool")).toBeVisible();
  await page.getByTestId("invite-open").click();
  await page.getByLabel("家人的手机号").fill(phone);
  await page.getByRole("button", { name: "发送邀请" }).click();
  await expect(page.getByTestId("pending-invitation").filter({ hasText: mask(phone) })).toBeVisible();
  await expect(page.getByTestId("pending-invitation").filter({ hasText: mask(phone) })).toContainText(/7[12] 小时后过期/);
  const inbox = await (await page.request.get("/dev/sms")).text();
  expect(inbox).toContain(phone);
  expect(inbox).toMatch(/王芳（138\*\*\*\*0003）邀请你加入/);

  // Invitee: signs in, sees the notice, accepts.
  const memberCtx = await secondContext(browser, testInfo);
  const m = await memberCtx.newPage();
  await signIn(m, phone);
  await m.goto("/chat");
  const notice = m.getByTestId("family-invitation-notice");
  await expect(notice).toContainText("王芳 邀请你加入家庭共享");
  await notice.click();
  await expect(m).toHaveURL(/\/family$/);
  const card = m.getByTestId("incoming-invitation");
  await expect(card).toContainText("王芳 邀请你加入TA的家庭");
  await card.getByRole("button", { name: "接受邀请" }).click();
  await expect(m.getByTestId("my-quota")).toBeVisible();
  await expect(m.getByTestId("family-pool")).toContainText("由 王芳 的家庭套餐支付");
  await expect(m.getByTestId("my-cap")).toHaveText("不限额");
  await expect(notice).toHaveCount(0);

  // Member uses the family pool.
  const call = await makeKey(m);
  const ok = await call(SECRET);
  expect(ok.status()).toBe(200);
  expect((await ok.json()).choices[0].message.content.length).toBeGreaterThan(0);
  await m.goto("/family");
  await expect(m.getByTestId("my-used")).not.toHaveText("0");

  // Owner: sees the member's totals (by member, by model) but never the text.
  await page.goto("/family");
  const usageRow = page.getByTestId("family-usage-row").filter({ hasText: mask(phone) });
  await expect(usageRow).toContainText("1 次");
  await memberMenu(page, phone, /用量明细/);
  const dialog = page.getByRole("dialog");
  await expect(dialog.getByTestId("usage-model")).toContainText(/DeepSeek/i);
  await expect(dialog).toContainText("对话内容仅本人可见");
  await expect(page.locator("body")).not.toContainText(SECRET.slice(0, 8));
  const html = await page.content();
  expect(html).not.toContain(SECRET.slice(0, 8));
  await dialog.getByRole("button", { name: "Close" }).click();

  // Owner sets a tiny cap; the member is refused and told why.
  await memberMenu(page, phone, /设置每月上限/);
  await page.getByRole("textbox", { name: "每月上限" }).fill("0.001");
  await expect(page.getByRole("dialog")).toContainText("= 10 tokens");
  await page.getByRole("button", { name: "保存上限" }).click();
  await expect(memberRow(page, phone).getByTestId("member-spend")).toContainText("上限 10");
  const refused = await call("再来一次");
  expect(refused.status()).toBe(429);
  expect((await refused.json()).error.message).toMatch(/monthly cap the family owner set/);
  await m.goto("/family");
  await expect(m.getByRole("alert").or(m.getByRole("status")).filter({ hasText: "你本月的家庭额度已用完" })).toBeVisible();
  await expect(m.getByTestId("my-cap")).toHaveText("/ 10");

  // Owner removes the member: immediate; history stays under their name.
  await memberMenu(page, phone, /移出家庭/);
  await page.getByRole("dialog").getByRole("button", { name: "移出" }).click();
  await expect(memberRow(page, phone)).toHaveCount(0);
  await expect(usageRow).toContainText("已移出");
  await expect(usageRow).toContainText("1 次");

  // The former member is out: their next calls pay from their own wallet (a key that had the
  // family wallet cached may be refused once as not_member), never from the family pool again.
  await m.goto("/family");
  await expect(m.getByTestId("family-empty")).toBeVisible();
  const first = await call("还在吗");
  if (first.status() !== 200) {
    expect(first.status()).toBe(403);
    expect((await first.json()).error.code).toBe("not_member");
  }
  expect((await call("还在吗")).status()).toBe(200);
  await page.reload();
  await expect(usageRow).toContainText("1 次");
  await memberCtx.close().catch(() => {});
});

test("an invitation can be withdrawn, and the invitee is told nothing is waiting", async ({ page, browser }, testInfo) => {
  const phone = freshPhone();
  await signIn(page, DEMO.familyOwner);
  await page.goto("/family");
  await page.getByTestId("invite-open").click();
  await page.getByLabel("家人的手机号").fill(phone);
  await page.getByRole("button", { name: "发送邀请" }).click();
  const pending = page.getByTestId("pending-invitation").filter({ hasText: mask(phone) });
  await pending.getByRole("button", { name: "撤回" }).click();
  await expect(pending).toHaveCount(0);

  const ctx = await secondContext(browser, testInfo);
  const m = await ctx.newPage();
  await signIn(m, phone);
  await m.goto("/family");
  await expect(m.getByTestId("family-empty")).toBeVisible();
  await expect(m.getByTestId("incoming-invitation")).toHaveCount(0);
  await expect(m.getByTestId("family-invitation-notice")).toHaveCount(0);
  await ctx.close().catch(() => {});
});

test("the demo member sees the pool, their cap and only their own usage", async ({ page }) => {
  await signIn(page, DEMO.familyMember);
  await page.goto("/family");
  await expect(page.getByTestId("family-pool")).toContainText("由 王芳 的家庭套餐支付");
  await expect(page.getByTestId("my-cap")).toHaveText("/ 2000万");
  await expect(page.getByTestId("usage-breakdown")).toBeVisible();
  await expect(page.getByTestId("family-members")).toHaveCount(0);
  await expect(page.getByTestId("invite-open")).toHaveCount(0);
});
