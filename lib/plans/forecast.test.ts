import { describe, expect, it } from "vitest";
import { forecastRunOut, forecastSentence, shanghaiMonthDay } from "./forecast";

const sh = (s: string) => new Date(`${s}+08:00`);
const DAY = 86_400_000;
const decEnd = sh("2027-01-01T00:00:00");

describe("forecast from the last 7 days' pace", () => {
  it("nothing left is spent; no recent use lasts the month", () => {
    expect(forecastRunOut({ left: 0n, spent: 5n, windowMs: 7 * DAY, now: sh("2026-12-10T10:00:00"), cycleEnd: decEnd })).toEqual({ kind: "spent" });
    expect(forecastRunOut({ left: 10n, spent: 0n, windowMs: 7 * DAY, now: sh("2026-12-10T10:00:00"), cycleEnd: decEnd })).toEqual({ kind: "lasts" });
  });

  it("7M used in 7 days with 13M left on Dec 10, 10:00 runs out on Dec 23, 10:00", () => {
    const f = forecastRunOut({ left: 13_000_000n, spent: 7_000_000n, windowMs: 7 * DAY, now: sh("2026-12-10T10:00:00"), cycleEnd: decEnd });
    expect(f).toEqual({ kind: "runs_out", at: sh("2026-12-23T10:00:00") });
    expect(forecastSentence(f)).toBe("按近 7 天用量，预计 12月23日 用完");
  });

  it("a run-out at or after the cycle's end lasts the month", () => {
    // 1M a day, 21M left on Dec 10 10:00 → Dec 31 10:00: still December.
    expect(forecastRunOut({ left: 21_000_000n, spent: 7_000_000n, windowMs: 7 * DAY, now: sh("2026-12-10T10:00:00"), cycleEnd: decEnd }).kind).toBe("runs_out");
    // 21.6M → Jan 1 00:24: past the end.
    expect(forecastRunOut({ left: 21_600_000n, spent: 7_000_000n, windowMs: 7 * DAY, now: sh("2026-12-10T10:00:00"), cycleEnd: decEnd })).toEqual({
      kind: "lasts",
    });
    expect(forecastSentence({ kind: "lasts" })).toBe("按近 7 天用量，本月额度够用到月底");
  });

  it("a shorter window (a new wallet) counts a faster pace", () => {
    // 2M in the 2 days since the wallet was made: 1M a day, not 2/7M.
    const f = forecastRunOut({ left: 3_000_000n, spent: 2_000_000n, windowMs: 2 * DAY, now: sh("2026-12-10T10:00:00"), cycleEnd: decEnd });
    expect(f).toEqual({ kind: "runs_out", at: sh("2026-12-13T10:00:00") });
  });

  it("dates are China's: 16:30 UTC is already the next day", () => {
    expect(shanghaiMonthDay(new Date("2026-12-22T16:30:00Z"))).toBe("12月23日");
    expect(shanghaiMonthDay(new Date("2026-12-22T15:59:59Z"))).toBe("12月22日");
  });
});
