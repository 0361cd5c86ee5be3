// @vitest-environment happy-dom
import { act } from "react";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mountInApp } from "@/lib/testing/render";
import { answerAction } from "@/lib/testing/action-stubs";
import type { ReceiptView } from "@/app/actions/receipt";

const receipt: ReceiptView = {
  usageId: "u1",
  messageId: "m1",
  createdAt: "2026-05-10T04:00:00.000Z",
  modelId: "kimi-k2-0905-preview",
  modelName: "Kimi K2",
  providerRoute: "moonshotai",
  routeAttempts: [
    { provider: "moonshotai-cn", outcome: "upstream_unavailable", ms: 2 },
    { provider: "siliconflow-cn", outcome: "upstream_error", ms: 40, status: 503 },
    { provider: "moonshotai", outcome: "ok", ms: 310 },
  ],
  tokensIn: 20,
  tokensCached: null,
  tokensReasoning: null,
  tokensOut: 30,
  weightInMicro: "1000000",
  weightOutMicro: "2000000",
  planTokens: "80",
  usageSource: "provider",
  status: "ok",
  refundedAt: null,
  basis: { kind: "pack", id: "p99", priceFen: "990", tokens: "1000000" },
  valueE4: "8",
};
answerAction("getMyReceipt", async () => ({ ok: true, receipt }));
answerAction("getMyDispute", async () => ({ ok: true, dispute: null }));

const { ReplyCost } = await import("./receipt");

describe("the receipt", () => {
  let host: HTMLDivElement;
  let unmount: () => void;
  beforeAll(async () => {
    ({ host, unmount } = await mountInApp(<ReplyCost messageId="m1">80 tokens</ReplyCost>));
  });
  afterAll(() => unmount());

  it("shows the route that served and, after a failover, every route tried in order", async () => {
    await act(async () => host.querySelector("button")!.click());
    // The sheet's code loads on the first tap.
    for (let i = 0; i < 250 && !document.querySelector('[data-testid="receipt-routes"]'); i++) await act(async () => new Promise((r) => setTimeout(r, 20)));
    const routes = document.querySelector('[data-testid="receipt-routes"]');
    expect(routes).not.toBeNull();
    const items = [...routes!.querySelectorAll("li")].map((li) => li.textContent);
    expect(items).toEqual(["moonshotai-cn · 失败，已换下一条 · 2 ms", "siliconflow-cn · 失败，已换下一条 (503) · 40 ms", "moonshotai · 由此线路完成 · 310 ms"]);
    expect(document.body.textContent).toContain("服务线路");
  });
});
