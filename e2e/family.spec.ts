import type { Browser, BrowserContext, Page, TestInfo } from "@playwright/test";
import { test, expect, freshPhone, signIn, DEMO } from "./fixtures";

// Family sharing end to end, with two people in two browsers: the owner (王芳, ¥199.9 family
// tier in the demo seed) invites a new number; the invitee signs in, accepts, uses the pool
// in /chat, and the owner sees usage totals but never the text (nor the conversation); a tiny cap stops the member with a clear message; removal takes effect at once.

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

/** Sends one chat message from the composer. */
async function send(page: Page, text: string, { refused = false } = {}) {
  // The composer must be hydrated, or the click submits the bare form.
  await page.waitForLoadState("networkidle");
  const box = page.getByTestId("composer-input");
  await box.fill(text);
  await expect(page.getByTestId("send-button")).toBeEnabled();
  await page.getByTestId("send-button").click();
  // A refused message stays in the composer so nothing typed is lost.
  if (!refused) await expect(box).toHaveValue("");
}

/** Removes members and invitations a failed earlier run may have left in the demo family. */
async function freeSeats(page: Page) {
  const leftovers = page.getByTestId("family-member").filter({ hasText: /139\*{4}\d{4}/ });
  while ((await leftovers.count()) > 0) {
    const n = await leftovers.count();
    await leftovers.first().getByTestId("member-actions").click();
    await page.getByRole("menuitem", { name: /移出家庭/ }).click();
    await page.getByRole("dialog").getByRole("button", { name: "移出" }).click();
    await expect(leftovers).toHaveCount(n - 1);
  }
  const pending = page.getByTestId("pending-invitation");
  while ((await pending.count()) > 0) {
    const n = await pending.count();
    await pending.first().getByRole("button", { name: "撤回" }).click();
    await expect(pending).toHaveCount(n - 1);
  }
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
  await freeSeats(page);
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

  // Member chats on the family pool.
  await m.goto("/chat");
  await send(m, SECRET);
  await expect(m.getByTestId("message-assistant").last()).toHaveAttribute("data-status", "ok", { timeout: 60_000 });
  await m.waitForURL(/\/chat\/[0-9a-f-]{36}$/);
  const conversationUrl = new URL(m.url()).pathname;
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
  expect(await page.content()).not.toContain(SECRET.slice(0, 8));
  await dialog.getByRole("button", { name: "关闭" }).click();
  // …and the member's conversation does not exist for the owner.
  const foreign = await page.goto(conversationUrl);
  expect(foreign?.status()).toBe(404);
  await expect(page.getByText(/页面不存在|Page not found/)).toBeVisible();
  expect(await page.content()).not.toContain(SECRET.slice(0, 8));

  // Owner sets a tiny cap; the member's next message is refused and they are told why.
  await page.goto("/family");
  await memberMenu(page, phone, /设置每月上限/);
  await page.getByRole("textbox", { name: "每月上限" }).fill("0.001");
  await expect(page.getByRole("dialog")).toContainText("= 10 tokens");
  await page.getByRole("button", { name: "保存上限" }).click();
  await expect(memberRow(page, phone).getByTestId("member-spend")).toContainText("上限 10");
  await m.goto(conversationUrl);
  await send(m, "再问一个问题", { refused: true });
  const problem = m.getByTestId("chat-problem");
  await expect(problem).toHaveAttribute("data-code", "cap_reached");
  await expect(problem).toContainText("本月额度");
  await m.goto("/family");
  await expect(m.getByRole("alert").or(m.getByRole("status")).filter({ hasText: "你本月的家庭额度已用完" })).toBeVisible();
  await expect(m.getByTestId("my-cap")).toHaveText("/ 10");

  // Owner removes the member: immediate; history stays under their name.
  await memberMenu(page, phone, /移出家庭/);
  await page.getByRole("dialog").getByRole("button", { name: "移出" }).click();
  await expect(memberRow(page, phone)).toHaveCount(0);
  await expect(usageRow).toContainText("已移出");
  await expect(usageRow).toContainText("1 次");

  // The former member is out of the family and chats on their own wallet, never the pool again.
  await m.goto("/family");
  await expect(m.getByTestId("family-empty")).toBeVisible();
  await m.goto("/chat");
  await send(m, "现在用我自己的额度");
  await expect(m.getByTestId("message-assistant").last()).toHaveAttribute("data-status", "ok", { timeout: 60_000 });
  await page.reload();
  await expect(usageRow).toContainText("1 次");
  await memberCtx.close().catch(() => {});
});

test("an invitation can be withdrawn, and the invitee is told nothing is waiting", async ({ page, browser }, testInfo) => {
  const phone = freshPhone();
  await signIn(page, DEMO.familyOwner);
  await page.goto("/family");
  await freeSeats(page);
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

test("a member in quiet hours is refused in chat, asks the payer, and the request reaches the owner", async ({ page, browser }, testInfo) => {
  test.setTimeout(180_000);
  const phone = freshPhone();
  const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
  const local = new Date(Date.now() + 8 * 3_600_000);
  const nowMin = local.getUTCHours() * 60 + local.getUTCMinutes();

  // Owner invites a new member; the member accepts.
  await signIn(page, DEMO.familyOwner);
  await page.goto("/family");
  await freeSeats(page);
  await page.getByTestId("invite-open").click();
  await page.getByLabel("家人的手机号").fill(phone);
  await page.getByRole("button", { name: "发送邀请" }).click();
  await expect(page.getByTestId("pending-invitation").filter({ hasText: mask(phone) })).toBeVisible();
  const memberCtx = await secondContext(browser, testInfo);
  const m = await memberCtx.newPage();
  await signIn(m, phone);
  await m.goto("/family");
  await m.getByTestId("incoming-invitation").getByRole("button", { name: "接受邀请" }).click();
  await expect(m.getByTestId("my-quota")).toBeVisible();

  // Owner: quiet hours around now (China time) for that member.
  await page.goto("/family");
  const rules = page.getByRole("form", { name: `${mask(phone)} 的规则` });
  await rules.getByLabel("免打扰时段").check();
  await rules.getByLabel("开始").fill(hhmm((nowMin + 1440 - 60) % 1440));
  await rules.getByLabel("结束").fill(hhmm((nowMin + 60) % 1440));
  // 单条确认 for this member: above 5万 tokens a message asks first.
  await rules.getByLabel(/单条确认/).fill("5");
  await rules.getByRole("button", { name: /保存/ }).click();
  await expect(rules.getByRole("status")).toHaveText("已保存");
  await page.screenshot({ path: `test-results/screens/family-rules-${testInfo.project.name}.png`, fullPage: true });

  // Member: chat is refused in the reserve path, with the reason.
  await m.goto("/chat");
  await send(m, "今晚还能用吗？", { refused: true });
  const problem = m.getByTestId("chat-problem");
  await expect(problem).toContainText("免打扰时段");
  // …and asks the payer right there, from the refusal.
  await problem.getByRole("button", { name: "请户主放行" }).click();
  await expect(problem.getByRole("button", { name: "已发送给户主" })).toBeVisible();
  await m.screenshot({ path: `test-results/screens/family-member-blocked-${testInfo.project.name}.png` });
  // The family page says why too.
  await m.goto("/family");
  await expect(m.getByTestId("family-blocked")).toContainText("免打扰时段");

  // Owner: the request is in the app and in a text; one tap approves today.
  await page.goto("/family");
  const req = page.getByTestId("payer-request").filter({ hasText: mask(phone) });
  await expect(req).toContainText("免打扰时段");
  const inbox = await (await page.request.get("/dev/sms")).text();
  expect(inbox).toContain("请求放行（免打扰时段）");
  expect(inbox).not.toContain("今晚还能用吗");
  await expect(page.getByRole("form", { name: `${mask(phone)} 的规则` }).getByLabel(/单条确认/)).toHaveValue("5");
  await page.screenshot({ path: `test-results/screens/family-request-${testInfo.project.name}.png`, fullPage: true });
  await req.getByRole("button", { name: "批准今天" }).click();
  await expect(page.getByTestId("payer-request").filter({ hasText: mask(phone) })).toHaveCount(0);

  // Approved: the member chats again today.
  await m.goto("/chat");
  await send(m, "谢谢，现在可以了吗？");
  await expect(m.getByTestId("message-assistant").last()).toHaveAttribute("data-status", "ok", { timeout: 60_000 });
  await memberCtx.close();

  // Leave the demo family as it was.
  await page.goto("/family");
  await freeSeats(page);
});
