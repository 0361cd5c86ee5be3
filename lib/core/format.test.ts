import { describe, expect, it } from "vitest";
import { formatBalance, formatDecimal, formatInt, formatMonthlyPrice, formatTokens, formatYuan, maskPhone } from "./format";

describe("format", () => {
  it("reads tokens the Chinese way and the English way", () => {
    expect(formatTokens(15_000_000n)).toBe("1500万");
    expect(formatTokens(250_000_000n)).toBe("2.5亿");
    expect(formatTokens(500_000n)).toBe("50万");
    expect(formatTokens(12_345)).toBe("1.2万");
    expect(formatTokens(1234)).toBe("1,234");
    expect(formatTokens(15_000_000n, "en")).toBe("15M");
    expect(formatTokens(500_000n, "en")).toBe("500K");
  });
  it("prints yuan from integer fen", () => {
    expect(formatYuan(3990n)).toBe("¥39.90");
    expect(formatYuan(-5n)).toBe("-¥0.05");
    expect(formatYuan(123456789n)).toBe("¥1,234,567.89");
    expect(formatMonthlyPrice(3990)).toBe("¥39.9/月");
    expect(formatMonthlyPrice(29990, "en")).toBe("¥299.9/mo");
  });
  it("masks phones", () => {
    expect(maskPhone("13800000001")).toBe("138****0001");
  });
});

describe("formatBalance", () => {
  it("shows a reply's cost: 万 with two decimals, truncated, never rounded up", () => {
    expect(formatBalance(15_500_000n)).toBe("1550.00万");
    expect(formatBalance(15_499_577n)).toBe("1549.95万");
    expect(formatBalance(15_499_600n)).toBe("1549.96万");
    expect(formatBalance(250_000_000n)).toBe("25000.00万");
    expect(formatBalance(10_000n)).toBe("1.00万");
    expect(formatBalance(9_999n)).toBe("9,999");
    expect(formatBalance(0n)).toBe("0");
  });
  it("en: K below a million, M with four decimals above", () => {
    expect(formatBalance(15_499_600n, "en")).toBe("15.4996M");
    expect(formatBalance(15_499_599n, "en")).toBe("15.4995M");
    expect(formatBalance(123_456n, "en")).toBe("123.45K");
    expect(formatBalance(9_999n, "en")).toBe("9,999");
  });
});

describe("formatInt", () => {
  it("groups whole numbers exactly as Intl.NumberFormat does in both locales, bigint and number alike", () => {
    const values: bigint[] = [0n, 7n, 999n, 1000n, 12_345n, 999_999n, 1_000_000n, 123_456_789n, 9_007_199_254_740_993n, 10n ** 24n];
    for (let d = 1n; d < 10n ** 18n; d = d * 10n + (d % 7n)) values.push(d, d + 1n, d * 3n);
    for (const v of [...values, ...values.map((x) => -x)]) {
      for (const [locale, tag] of [
        ["zh-CN", "zh-CN"],
        ["en", "en-US"],
      ] as const) {
        const want = new Intl.NumberFormat(tag).format(v);
        expect(formatInt(v, locale)).toBe(want);
        if (v >= -(2n ** 53n) && v <= 2n ** 53n) expect(formatInt(Number(v), locale)).toBe(want);
      }
    }
    expect(formatInt(1234.6, "zh-CN")).toBe("1,235");
    expect(formatTokens(1234.5678, "en")).toBe(new Intl.NumberFormat("en-US").format(1234.5678));
  });
});

describe("formatDecimal", () => {
  it("writes what Intl.NumberFormat writes with at most N fraction digits", () => {
    const values = [
      0, 0.0004, 0.00045, 0.0005, 0.001, 0.0125, 0.075, 0.27, 0.5, 0.57, 1, 1.005, 1.25, 2.675, 9.995, 12.345, 99.95, 570, 1234.5678, 98765.4321, 1_000_000.5,
    ];
    for (let i = 1; i < 400; i++) values.push(i * 0.0137, i * 1.2345, i * 987.654321);
    for (const v of values) {
      for (const digits of [0, 1, 2, 3, 4]) {
        expect(formatDecimal(v, digits)).toBe(new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(v));
        expect(formatDecimal(v, digits)).toBe(new Intl.NumberFormat("zh-CN", { maximumFractionDigits: digits }).format(v));
        if (v >= 0.5) expect(formatDecimal(-v, digits)).toBe(new Intl.NumberFormat("en-US", { maximumFractionDigits: digits }).format(-v));
      }
    }
  });
});
