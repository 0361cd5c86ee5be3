import { afterEach, describe, expect, it, vi } from "vitest";
import { PLATFORM_ORIGINALS } from "./clock";

const slot = globalThis as { [PLATFORM_ORIGINALS]?: unknown };

afterEach(() => {
  delete slot[PLATFORM_ORIGINALS];
  vi.useRealTimers();
  vi.resetModules();
});

describe("the request path's clock", () => {
  it("uses the originals server.mjs kept before Next replaced the globals", async () => {
    slot[PLATFORM_ORIGINALS] = { now: () => 1_700_000_000_123, randomUUID: () => "kept-uuid" };
    vi.resetModules();
    const clock = await import("./clock");
    expect(clock.nowMs()).toBe(1_700_000_000_123);
    expect(clock.currentDate().getTime()).toBe(1_700_000_000_123);
    expect(clock.uuid()).toBe("kept-uuid");
  });

  it("otherwise reads the globals at each call, so fake timers apply", async () => {
    vi.resetModules();
    const clock = await import("./clock");
    vi.useFakeTimers();
    vi.setSystemTime(new Date("2026-05-31T16:00:00Z"));
    expect(clock.nowMs()).toBe(Date.parse("2026-05-31T16:00:00Z"));
    expect(clock.currentDate().toISOString()).toBe("2026-05-31T16:00:00.000Z");
    expect(clock.uuid()).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});
