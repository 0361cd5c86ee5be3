import { describe, expect, it } from "vitest";
import { computeCharge } from "./charge";

const weights = { inMicro: 500_000n, outMicro: 2_000_000n };
const base = { promptTokens: 10, weights, holdAmount: 10_000n };

describe("computeCharge", () => {
  it("charges nothing when nothing was delivered, even if the provider reports output", () => {
    expect(computeCharge({ ...base, deliveredText: "", receivedChars: 500, providerUsage: { tokensIn: 10, tokensOut: 100 } })).toMatchObject({ planTokens: 0n, tokensOut: 0, usageSource: "none" });
  });
  it("charges the provider's usage when everything was delivered", () => {
    // ceil((10 × 0.5 + 100 × 2)) = 205
    expect(computeCharge({ ...base, deliveredText: "x".repeat(400), receivedChars: 400, providerUsage: { tokensIn: 10, tokensOut: 100 } })).toMatchObject({ planTokens: 205n, tokensOut: 100, usageSource: "provider" });
  });
  it("charges only the delivered share of the provider's output after an early stop (rounded up)", () => {
    // 100 × 100/400 = 25 → 5 + 50 = 55; 100 × 101/400 = 25.25 → 26
    expect(computeCharge({ ...base, deliveredText: "x".repeat(100), receivedChars: 400, providerUsage: { tokensIn: 10, tokensOut: 100 } })).toMatchObject({ tokensOut: 25, planTokens: 55n });
    expect(computeCharge({ ...base, deliveredText: "x".repeat(101), receivedChars: 400, providerUsage: { tokensIn: 10, tokensOut: 100 } })).toMatchObject({ tokensOut: 26 });
  });
  it("counts the delivered text when the provider is silent", () => {
    expect(computeCharge({ ...base, deliveredText: "hello world", receivedChars: 11, providerUsage: null })).toMatchObject({ tokensIn: 10, tokensOut: 2, usageSource: "counted", planTokens: 9n });
  });
  it("never charges more than the hold", () => {
    expect(computeCharge({ ...base, holdAmount: 50n, deliveredText: "x", receivedChars: 1, providerUsage: { tokensIn: 10, tokensOut: 1000 } }).planTokens).toBe(50n);
  });
});
