import { describe, expect, it } from "vitest";
import { firstMonthProration, prorate, remainingDays, upgradeProration } from "./proration";
import { getTier } from "./tiers";

// Shanghai wall-clock time → instant.
const sh = (s: string) => new Date(`${s}+08:00`);

describe("remainingDays (Asia/Shanghai, current day counts)", () => {
  it.each([
    ["2026-01-01T00:00:00", 31, 31],
    ["2026-01-16T12:00:00", 16, 31],
    ["2026-01-31T23:59:59", 1, 31],
    ["2026-02-01T00:00:00", 28, 28],
    ["2026-02-14T08:00:00", 15, 28],
    ["2026-02-28T23:59:59", 1, 28],
    ["2028-02-29T10:00:00", 1, 29],
    ["2026-04-01T00:00:00", 30, 30],
    ["2026-04-15T23:00:00", 16, 30],
    ["2026-04-30T18:00:00", 1, 30],
  ])("%s → %i of %i days", (at, remaining, days) => {
    expect(remainingDays(sh(at))).toMatchObject({ remaining, days });
  });

  it("uses Shanghai time, not UTC: 2026-01-31 16:30 UTC is already Feb 1st", () => {
    expect(remainingDays(new Date("2026-01-31T16:30:00Z"))).toMatchObject({ cycle: "2026-02", remaining: 28, days: 28 });
  });
});

describe("prorate (integer, nearest, halves up)", () => {
  it("keeps the whole amount on the first day and nothing is lost to floats", () => {
    expect(prorate(2000n, 31, 31)).toBe(2000n);
    expect(prorate(15_000_000n, 30, 30)).toBe(15_000_000n);
  });
  it("rounds halves up and others to nearest", () => {
    expect(prorate(3n, 1, 2)).toBe(2n); // 1.5 → 2
    expect(prorate(1n, 1, 3)).toBe(0n); // 0.33 → 0
    expect(prorate(2n, 1, 3)).toBe(1n); // 0.67 → 1
  });
  it("rejects nonsense", () => {
    expect(() => prorate(-1n, 1, 30)).toThrow();
    expect(() => prorate(1n, 31, 30)).toThrow();
  });
});

describe("upgrade ¥39.9 → ¥59.9 (¥20.00, 15M tokens difference)", () => {
  const from = getTier("t399")!;
  const to = getTier("t599")!;
  it.each([
    // month, day, remaining/days, fen, tokens
    ["2026-01-01T09:00:00", 2000n, 15_000_000n], // 31/31
    ["2026-01-16T09:00:00", 1032n, 7_741_935n], // 16/31: 1032.26 → 1032; 7,741,935.48 → 7,741,935
    ["2026-01-31T09:00:00", 65n, 483_871n], // 1/31: 64.52 → 65; 483,870.97 → 483,871
    ["2026-02-01T09:00:00", 2000n, 15_000_000n], // 28/28
    ["2026-02-15T09:00:00", 1000n, 7_500_000n], // 14/28 exactly half
    ["2026-02-28T09:00:00", 71n, 535_714n], // 1/28: 71.43 → 71; 535,714.29 → 535,714
    ["2026-04-01T09:00:00", 2000n, 15_000_000n], // 30/30
    ["2026-04-16T09:00:00", 1000n, 7_500_000n], // 15/30
    ["2026-04-30T09:00:00", 67n, 500_000n], // 1/30: 66.67 → 67
  ])("%s → %i fen, %i tokens", (at, fen, tokens) => {
    const p = upgradeProration(from, to, sh(at));
    expect(p.priceFen).toBe(fen);
    expect(p.tokens).toBe(tokens);
  });
});

describe("first month 按天折算 (new plan bought mid-cycle)", () => {
  const lite = getTier("t399")!; // ¥39.90, 15,000,000 tokens
  const family = getTier("t1999")!; // ¥199.90, 140,000,000 tokens
  it.each([
    // at, remaining/days, Lite fen, Lite tokens, Family fen, Family tokens
    ["2026-01-01T00:00:00", 31, 31, 3990n, 15_000_000n, 19990n, 140_000_000n], // the 1st: whole
    ["2026-01-17T12:00:00", 15, 31, 1931n, 7_258_065n, 9673n, 67_741_935n], // 1930.65 → 1931; 7,258,064.52 → 7,258,065; 9672.58 → 9673; 67,741,935.48 → 67,741,935
    ["2026-01-31T23:59:59", 1, 31, 129n, 483_871n, 645n, 4_516_129n], // 128.71 → 129; 483,870.97; 644.84 → 645; 4,516,129.03
    ["2026-02-15T08:00:00", 14, 28, 1995n, 7_500_000n, 9995n, 70_000_000n], // exactly half
    ["2026-04-30T18:00:00", 1, 30, 133n, 500_000n, 666n, 4_666_667n], // 133.0; 666.33 → 666; 4,666,666.67 → 4,666,667
    ["2026-11-29T10:00:00", 2, 30, 266n, 1_000_000n, 1333n, 9_333_333n], // bought on the 29th: 2 days, not the whole ¥39.90
  ])("%s → %i/%i days", (at, remaining, days, liteFen, liteTokens, famFen, famTokens) => {
    const a = firstMonthProration(lite, sh(at));
    expect(a).toMatchObject({ remaining, days, priceFen: liteFen, tokens: liteTokens, prorated: remaining < days });
    const b = firstMonthProration(family, sh(at));
    expect([b.priceFen, b.tokens]).toEqual([famFen, famTokens]);
  });

  it("fee and allowance use the same fraction: each is within half a unit of the exact share", () => {
    for (let day = 1; day <= 31; day++) {
      const at = sh(`2026-01-${String(day).padStart(2, "0")}T12:00:00`);
      const p = firstMonthProration(lite, at);
      // |p × days − amount × remaining| ≤ days / 2, in integers.
      const fenErr = p.priceFen * BigInt(p.days) - lite.priceFen * BigInt(p.remaining);
      const tokErr = p.tokens * BigInt(p.days) - lite.tokens * BigInt(p.remaining);
      expect(2n * (fenErr < 0n ? -fenErr : fenErr)).toBeLessThanOrEqual(BigInt(p.days));
      expect(2n * (tokErr < 0n ? -tokErr : tokErr)).toBeLessThanOrEqual(BigInt(p.days));
      expect(p.remaining).toBe(32 - day);
    }
  });
});
