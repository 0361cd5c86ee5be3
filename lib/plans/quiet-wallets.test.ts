import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { QuietWallets, tokensToNextAlert } from "./allowance-alerts";
import { ALERT_THRESHOLDS } from "./tiers";

/** Thresholds reached at `used`, as checkAllowanceAlerts decides them. */
/** Tiny values (where thresholds crowd together) as often as large ones. */
const small = (max: bigint) => fc.oneof(fc.bigInt({ min: 0n, max: 12n }), fc.bigInt({ min: 0n, max }));
const reached = (granted: bigint, used: bigint) => (granted > 0n ? ALERT_THRESHOLDS.filter((t) => used * 100n >= granted * BigInt(t)) : []);

describe("tokensToNextAlert", () => {
  it("is exactly how much more can be used before another threshold is reached", () => {
    fc.assert(
      fc.property(small(10n ** 10n), small(2n * 10n ** 10n), (granted, used) => {
        const left = tokensToNextAlert(granted, used);
        const now = reached(granted, used).length;
        if (left === null) {
          // Nothing more to reach, however much is used.
          expect(reached(granted, used + 10n ** 12n).length).toBe(now);
          return;
        }
        expect(left).toBeGreaterThan(0n);
        expect(reached(granted, used + left - 1n).length).toBe(now);
        // One more threshold at least (a small allowance reaches several with one token).
        expect(reached(granted, used + left).length).toBeGreaterThan(now);
      }),
      { numRuns: 2000 },
    );
  });

  it("reads the 50%, 80% and 100% marks of 3000万", () => {
    expect(tokensToNextAlert(30_000_000n, 0n)).toBe(15_000_000n);
    expect(tokensToNextAlert(30_000_000n, 15_000_000n)).toBe(9_000_000n);
    expect(tokensToNextAlert(30_000_000n, 29_999_999n)).toBe(1n);
    expect(tokensToNextAlert(30_000_000n, 30_000_000n)).toBeNull();
    expect(tokensToNextAlert(0n, 0n)).toBeNull();
    expect(tokensToNextAlert(3n, 1n)).toBe(1n);
  });
});

describe("QuietWallets", () => {
  const t0 = 1_000_000;
  it("skips settles while the next threshold is still ahead, and checks the one that may reach it", () => {
    const q = new QuietWallets({ recheckMs: 30_000 });
    expect(q.skip("w", "2026-12", 10n, t0)).toBe(false); // never checked
    q.observe("w", { cycle: "2026-12", granted: 1000n, used: 400n }, t0); // 100 to the 50% mark
    expect(q.skip("w", "2026-12", 60n, t0 + 1)).toBe(true);
    expect(q.skip("w", "2026-12", 39n, t0 + 2)).toBe(true);
    expect(q.skip("w", "2026-12", 1n, t0 + 3)).toBe(false); // this one reaches 500: checked
  });

  it("checks again after recheckMs and in a new cycle; a wallet with nothing left to alert waits for the recheck", () => {
    const q = new QuietWallets({ recheckMs: 30_000 });
    q.observe("w", { cycle: "2026-12", granted: 1000n, used: 0n }, t0);
    expect(q.skip("w", "2026-12", 1n, t0 + 29_999)).toBe(true);
    expect(q.skip("w", "2026-12", 1n, t0 + 30_000)).toBe(false);
    q.observe("w", { cycle: "2026-12", granted: 1000n, used: 0n }, t0);
    expect(q.skip("w", "2027-01", 1n, t0 + 1)).toBe(false);
    q.observe("w", { cycle: "2026-12", granted: 1000n, used: 1000n }, t0);
    expect(q.skip("w", "2026-12", 10n ** 9n, t0 + 1)).toBe(true);
    expect(q.skip("w", "2026-12", 1n, t0 + 30_000)).toBe(false);
    q.observe("w", { cycle: "2026-12", granted: 0n, used: 0n }, t0);
    expect(q.skip("w", "2026-12", 1n, t0 + 1)).toBe(true);
  });
});
