import { describe, expect, it } from "vitest";
import { cycleBounds, cycleOf, nextCycle, previousCycle } from "./cycle";

describe("bill cycles in Asia/Shanghai", () => {
  it("puts 23:59:59 on the last day and 00:00:00 on the 1st in different cycles", () => {
    expect(cycleOf(new Date("2026-11-30T15:59:59.999Z"))).toBe("2026-11"); // 23:59:59 Shanghai
    expect(cycleOf(new Date("2026-11-30T16:00:00.000Z"))).toBe("2026-12"); // 00:00:00 on Dec 1st
  });
  it("knows month lengths and neighbours", () => {
    expect(cycleBounds("2026-02").days).toBe(28);
    expect(cycleBounds("2028-02").days).toBe(29);
    expect(cycleBounds("2026-04").days).toBe(30);
    expect(cycleBounds("2026-12").days).toBe(31);
    expect(nextCycle("2026-12")).toBe("2027-01");
    expect(previousCycle("2027-01")).toBe("2026-12");
    expect(cycleBounds("2026-12").start.toISOString()).toBe("2026-11-30T16:00:00.000Z");
  });
  it("answers from the month asked for last only inside it, to the millisecond", () => {
    const at = (iso: string) => cycleOf(new Date(iso));
    expect(at("2026-11-15T00:00:00.000Z")).toBe("2026-11");
    // Inside the month asked for last, then each edge of it, then back in it.
    expect(at("2026-10-31T16:00:00.000Z")).toBe("2026-11");
    expect(at("2026-10-31T15:59:59.999Z")).toBe("2026-10");
    expect(at("2026-11-30T15:59:59.999Z")).toBe("2026-11");
    expect(at("2026-11-30T16:00:00.000Z")).toBe("2026-12");
    expect(at("2026-12-31T16:00:00.000Z")).toBe("2027-01");
    expect(at("2026-11-20T00:00:00.000Z")).toBe("2026-11");
    expect(at("2028-02-29T15:59:59.999Z")).toBe("2028-02");
    expect(at("2028-02-29T16:00:00.000Z")).toBe("2028-03");
    expect(at("2026-11-20T00:00:00.000Z")).toBe("2026-11");
  });
});
