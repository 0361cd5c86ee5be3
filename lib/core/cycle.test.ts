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
});
