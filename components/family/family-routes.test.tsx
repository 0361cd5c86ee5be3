// @vitest-environment happy-dom
import { act } from "react";
import { createRoot, type Root } from "react-dom/client";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { NextIntlClientProvider } from "next-intl";
import { loadMessages } from "@/lib/i18n/messages";
import { answerAction } from "@/lib/testing/action-stubs";

vi.mock("next/navigation", () => ({ useRouter: () => ({ refresh() {} }) }));

const calls: unknown[] = [];
answerAction("setMyFamilyRoutes", async (input: { only: string[]; ignore: string[] }) => {
  calls.push(input);
  if (input.only.includes("nope")) return { ok: false, code: "unknown_provider", details: { provider: "nope" } };
  return { ok: true, routes: { ...input, updatedAt: "2026-05-10T04:00:00.000Z", providers: [] } };
});

const { FamilyRoutesForm } = await import("./family-routes");

function type(input: HTMLInputElement, value: string) {
  Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, "value")!.set!.call(input, value);
  input.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("the family's provider routes form", () => {
  let root: Root;
  const host = document.createElement("div");
  beforeAll(async () => {
    (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
    document.body.append(host);
    root = createRoot(host);
    await act(async () => {
      root.render(
        <NextIntlClientProvider locale="zh-CN" messages={loadMessages("zh-CN")} timeZone="Asia/Shanghai">
          <FamilyRoutesForm initial={{ only: [], ignore: ["minimax"], sort: null }} providers={["deepseek", "minimax", "siliconflow-cn"]} />
        </NextIntlClientProvider>,
      );
    });
  });
  afterAll(() => act(() => root.unmount()));

  it("sends the owner's lists as provider ids and says what was wrong", async () => {
    const only = host.querySelector<HTMLInputElement>("#family-route-only")!;
    expect(host.querySelector("label[for=family-route-only]")!.textContent).toBe("只用这些服务商（留空为不限）");
    expect(host.querySelector<HTMLInputElement>("#family-route-ignore")!.value).toBe("minimax");
    await act(async () => type(only, "nope"));
    await act(async () => host.querySelector<HTMLButtonElement>("button[type=submit]")!.click());
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    expect(host.textContent).toContain("没有叫 nope 的服务商");
    await act(async () => type(only, "DeepSeek，siliconflow-cn"));
    await act(async () => host.querySelector<HTMLButtonElement>("button[type=submit]")!.click());
    await act(async () => new Promise((r) => setTimeout(r, 20)));
    expect(calls.at(-1)).toEqual({ only: ["deepseek", "siliconflow-cn"], ignore: ["minimax"], sort: null });
    expect(host.querySelector('[role="status"]')!.textContent).toBe("已保存，全家的新请求按此走");
  });
});
