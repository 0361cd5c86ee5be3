import { test, expect, freshPhone, signIn } from "./fixtures";

test("create a key, call the OpenAI-compatible API with it, see the usage, revoke it", async ({ page }) => {
  const phone = freshPhone();
  await signIn(page, phone);
  await page.goto("/keys");
  await expect(page.getByRole("heading", { name: /API 密钥|API keys/ })).toBeVisible();
  await expect(page.getByText(/还没有 API 密钥|No API keys yet/)).toBeVisible();

  await page.getByTestId("create-key").click();
  await page.getByLabel(/^名称$|^Name$/).fill("e2e 脚本");
  await page.getByTestId("restrict-models").click();
  await page.getByLabel(/搜索模型|Search models/).fill("deepseek-chat");
  await page
    .getByRole("button", { name: /deepseek-chat/ })
    .first()
    .click();
  await page.getByRole("button", { name: /^创建$|^Create$/ }).click();
  const keyText = (await page.getByTestId("new-key").textContent())!.trim();
  expect(keyText).toMatch(/^ut-[0-9a-f]{32}[A-Za-z0-9_-]{32}$/);
  await page.getByRole("button", { name: /我已保存|I've saved it/ }).click();

  const card = page.getByTestId("key-card").filter({ hasText: "e2e 脚本" });
  await expect(card).toBeVisible();
  await expect(card).toContainText(keyText.slice(-4));
  await expect(card).not.toContainText(keyText);
  await expect(card).toContainText(/尚未使用|Never used/);

  const baseUrl = (await page.getByTestId("base-url").textContent())!.trim();
  const call = (model: string) =>
    page.request.post(`${baseUrl}/chat/completions`, {
      headers: { authorization: `Bearer ${keyText}`, "x-demo-ttft-ms": "0", "x-demo-tps": "0" },
      data: { model, messages: [{ role: "user", content: "你好" }], max_tokens: 20 },
    });
  const ok = await call("deepseek-chat");
  expect(ok.status()).toBe(200);
  expect(ok.headers()["x-unitoken-overhead-ms"]).toBeTruthy();
  const body = await ok.json();
  expect(body.choices[0].message.content.length).toBeGreaterThan(0);
  expect((await call("gpt-4o")).status()).toBe(403);

  // Streaming through the app's real route, and the model list the allowlist leaves.
  const streamed = await page.request.post(`${baseUrl}/chat/completions`, {
    headers: { authorization: `Bearer ${keyText}`, "x-demo-ttft-ms": "0", "x-demo-tps": "0" },
    data: { model: "deepseek-chat", messages: [{ role: "user", content: "你好" }], max_tokens: 20, stream: true, stream_options: { include_usage: true } },
  });
  expect(streamed.status()).toBe(200);
  expect(streamed.headers()["content-type"]).toContain("text/event-stream");
  const sse = await streamed.text();
  expect(sse).toMatch(/^data: \{.*"role":"assistant"/);
  expect(sse).toMatch(/"content":"[^"]+"/);
  expect(sse).toMatch(/"usage":\{"prompt_tokens":\d+,"completion_tokens":\d+/);
  expect(sse.trimEnd().endsWith("data: [DONE]")).toBe(true);
  const models = await page.request.get(`${baseUrl}/models`, { headers: { authorization: `Bearer ${keyText}` } });
  expect((await models.json()).data.map((m: { id: string }) => m.id)).toEqual(["deepseek-chat"]);

  await page.reload();
  await expect(card).toContainText(/最近使用|Last used/);
  await expect(card).toContainText(/2 次请求|2 requests/);

  await card.getByRole("button", { name: /^吊销$|^Revoke$/ }).click();
  await page
    .getByRole("dialog")
    .getByRole("button", { name: /^吊销$|^Revoke$/ })
    .click();
  await expect(card).toContainText(/已吊销|Revoked/, { timeout: 30_000 });
  const after = await call("deepseek-chat");
  expect(after.status()).toBe(401);
  expect((await after.json()).error.code).toBe("invalid_api_key");
});
