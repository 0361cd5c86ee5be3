import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { chargeForStream, countChatTokens, countTokens, defaultWeightsFor, estimateHold, FALLBACK_WEIGHTS, planTokens } from "./index";

const w = { weightInMicro: 1_500_000n, weightOutMicro: 2_000_000n };

describe("planTokens", () => {
  it("is ceil((in × wIn + out × wOut) / 1e6) in integers", () => {
    expect(planTokens({ tokensIn: 10, tokensOut: 5, ...w })).toBe(25n);
    expect(planTokens({ tokensIn: 1, tokensOut: 0, weightInMicro: 1n, weightOutMicro: 1n })).toBe(1n);
    expect(planTokens({ tokensIn: 0, tokensOut: 0, ...w })).toBe(0n);
    expect(planTokens({ tokensIn: 3, tokensOut: 0, weightInMicro: 333_333n, weightOutMicro: 0n })).toBe(1n);
    expect(planTokens({ tokensIn: 3, tokensOut: 0, weightInMicro: 333_334n, weightOutMicro: 0n })).toBe(2n);
  });

  it("matches exact rational ceiling for any inputs", () => {
    fc.assert(
      fc.property(fc.nat(10_000_000), fc.nat(10_000_000), fc.bigInt(0n, 100_000_000n), fc.bigInt(0n, 100_000_000n), (i, o, wi, wo) => {
        const p = planTokens({ tokensIn: i, tokensOut: o, weightInMicro: wi, weightOutMicro: wo });
        const micro = BigInt(i) * wi + BigInt(o) * wo;
        expect(p * 1_000_000n >= micro).toBe(true);
        expect((p - 1n) * 1_000_000n < micro || p === 0n).toBe(true);
      }),
    );
  });

  it("refuses negative or fractional token counts", () => {
    expect(() => planTokens({ tokensIn: -1, tokensOut: 0, ...w })).toThrow(RangeError);
    expect(() => planTokens({ tokensIn: 1.5, tokensOut: 0, ...w })).toThrow(RangeError);
  });
});

describe("estimateHold", () => {
  it("covers the prompt and the maximum output, at least 1", () => {
    expect(estimateHold({ promptTokens: 100, maxOutputTokens: 1000, ...w })).toBe(2150n);
    expect(estimateHold({ promptTokens: 0, maxOutputTokens: 0, ...w })).toBe(1n);
  });
});

describe("tokenizer", () => {
  it("counts special-token text typed by a user as ordinary text instead of throwing", () => {
    const n = countTokens("hi <|endoftext|> and <|im_start|>");
    expect(n).toBeGreaterThan(4);
    expect(countChatTokens([{ role: "user", content: "<|endoftext|>" }])).toBe(countChatTokens([{ role: "user", content: "" }]) + countTokens("<|endoftext|>"));
  });
  it("counts o200k tokens and chat framing", () => {
    expect(countTokens("")).toBe(0);
    expect(countTokens("hello world")).toBe(2);
    expect(countChatTokens([{ role: "user", content: "hello world" }])).toBe(3 + 3 + 1 + 2);
    expect(countChatTokens([{ role: "user", content: [{ type: "text", text: "hello world" }] }])).toBe(9);
  });
});

describe("chargeForStream (the charge follows what the operator pays)", () => {
  const base = { accepted: true, promptTokens: 50, hold: 1000n, weights: { weightInMicro: 1_000_000n, weightOutMicro: 1_000_000n } };

  it("uses the provider's usage when reported", () => {
    expect(chargeForStream({ ...base, reportedUsage: { tokensIn: 40, tokensOut: 7 }, producedText: "x" })).toEqual({
      tokensIn: 40,
      tokensOut: 7,
      planTokens: 47n,
      usageSource: "provider",
    });
  });

  it("counts the produced text (reasoning included) when the provider reported nothing", () => {
    const c = chargeForStream({ ...base, reportedUsage: null, producedText: "hello world" });
    expect(c).toEqual({ tokensIn: 50, tokensOut: 2, planTokens: 52n, usageSource: "counted" });
  });

  it("charges the prompt once the upstream accepted, even with no output", () => {
    expect(chargeForStream({ ...base, producedText: "" })).toEqual({ tokensIn: 50, tokensOut: 0, planTokens: 50n, usageSource: "counted" });
  });

  it("charges nothing when the upstream never accepted, or failed before producing output", () => {
    expect(chargeForStream({ ...base, accepted: false, producedText: "" })).toEqual({ tokensIn: 50, tokensOut: 0, planTokens: 0n, usageSource: "none" });
    expect(chargeForStream({ ...base, failedBeforeOutput: true, producedText: "" }).planTokens).toBe(0n);
    expect(chargeForStream({ ...base, failedBeforeOutput: true, reportedUsage: { tokensIn: 50, tokensOut: 0 }, producedText: "" }).planTokens).toBe(0n);
    // A failure after output is not "before output": what was produced is charged.
    expect(chargeForStream({ ...base, failedBeforeOutput: true, producedText: "hello world" }).planTokens).toBe(52n);
  });

  it("honours an explicit zero only from a trusted provider; produced output still costs the minimum", () => {
    const c = chargeForStream({ ...base, reportedUsage: { tokensIn: 0, tokensOut: 0 }, producedText: "hello world" });
    expect(c.tokensOut).toBe(0);
    expect(c.usageSource).toBe("provider");
    expect(c.planTokens).toBe(1n);
    const untrusted = chargeForStream({ ...base, trustZero: false, reportedUsage: { tokensIn: 0, tokensOut: 0 }, producedText: "hello world" });
    expect(untrusted).toEqual({ tokensIn: 50, tokensOut: 2, planTokens: 52n, usageSource: "counted" });
  });

  it("never charges more than the hold", () => {
    expect(chargeForStream({ ...base, hold: 10n, reportedUsage: { tokensIn: 500, tokensOut: 500 }, producedText: "x" }).planTokens).toBe(10n);
  });

  it("property: 0 ≤ charge ≤ hold; > 0 when output was produced; 0 when not accepted", () => {
    fc.assert(
      fc.property(
        fc.option(fc.record({ tokensIn: fc.nat(100_000), tokensOut: fc.nat(100_000) }), { nil: null }),
        fc.string({ maxLength: 40 }),
        fc.nat(100_000),
        fc.bigInt(1n, 1_000_000n),
        fc.bigInt(0n, 20_000_000n),
        fc.bigInt(0n, 20_000_000n),
        fc.boolean(),
        (reportedUsage, producedText, promptTokens, hold, wi, wo, accepted) => {
          const c = chargeForStream({ accepted, reportedUsage, producedText, promptTokens, hold, weights: { weightInMicro: wi, weightOutMicro: wo } });
          expect(c.planTokens >= 0n && c.planTokens <= hold).toBe(true);
          if (!accepted) expect(c.planTokens).toBe(0n);
          else if (producedText.length > 0) expect(c.planTokens > 0n).toBe(true);
        },
      ),
    );
  });
});

describe("weights", () => {
  it("falls back for unknown models", () => {
    expect(defaultWeightsFor("nobody/none")).toEqual(FALLBACK_WEIGHTS);
    expect(defaultWeightsFor("demo/echo").weightOutMicro).toBe(1_000_000n);
  });
});
