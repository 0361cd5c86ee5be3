import { describe, expect, it } from "vitest";
import { chargeForStream } from "./stream-charge";

const weights = { weightInMicro: 500_000n, weightOutMicro: 2_000_000n };
const base = { accepted: true, failedBeforeOutput: false, trustZero: true, promptTokens: 10, weights, hold: 10_000n };

describe("chargeForStream with a model's weights", () => {
  it("charges nothing when the upstream failed before producing output, even if it reported usage", () => {
    expect(chargeForStream({ ...base, failedBeforeOutput: true, producedText: "", reportedUsage: { tokensIn: 10, tokensOut: 0 } })).toMatchObject({
      planTokens: 0n,
      tokensOut: 0,
      usageSource: "none",
    });
  });
  it("charges nothing when the upstream never accepted the request", () => {
    expect(chargeForStream({ ...base, accepted: false, producedText: "", reportedUsage: null })).toMatchObject({ planTokens: 0n, usageSource: "none" });
  });
  it("charges the prompt of an accepted request the client left before the first token", () => {
    // ceil(10 × 0.5) = 5
    expect(chargeForStream({ ...base, producedText: "", reportedUsage: null })).toMatchObject({
      planTokens: 5n,
      tokensIn: 10,
      tokensOut: 0,
      usageSource: "counted",
    });
  });
  it("charges the provider's usage for everything produced, delivered or not", () => {
    // ceil((10 × 0.5 + 100 × 2)) = 205
    expect(chargeForStream({ ...base, producedText: "x".repeat(400), reportedUsage: { tokensIn: 10, tokensOut: 100 } })).toMatchObject({
      planTokens: 205n,
      tokensOut: 100,
      usageSource: "provider",
    });
  });
  it("counts the produced text when the provider is silent", () => {
    expect(chargeForStream({ ...base, producedText: "hello world", reportedUsage: null })).toMatchObject({
      tokensIn: 10,
      tokensOut: 2,
      usageSource: "counted",
      planTokens: 9n,
    });
  });
  it("never charges more than the hold", () => {
    expect(chargeForStream({ ...base, hold: 50n, producedText: "x", reportedUsage: { tokensIn: 10, tokensOut: 1000 } }).planTokens).toBe(50n);
  });
});
