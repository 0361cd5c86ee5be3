import { afterEach, describe, expect, it, vi } from "vitest";
import { createLiveText, LIVE_TEXT_INTERVAL_MS } from "./live-text";

// Animation frames at 60 Hz, run when the test says.
let frames: ((t: number) => void)[] = [];
let now = 0;
vi.stubGlobal("requestAnimationFrame", (f: (t: number) => void) => frames.push(f));
vi.stubGlobal("cancelAnimationFrame", () => void (frames = []));
function nextFrame() {
  now += 1000 / 60;
  const run = frames;
  frames = [];
  for (const f of run) f(now);
}
afterEach(() => {
  frames = [];
});

describe("live text", () => {
  it("shows the newest text at most once per interval, on a frame, and never drops the last one", () => {
    const live = createLiveText();
    const seen: string[] = [];
    live.subscribe(() => seen.push(live.get()));
    live.schedule("a");
    live.schedule("ab");
    nextFrame();
    expect(seen).toEqual(["ab"]);
    // Every frame brings text; the screen follows every other frame at 60 Hz.
    for (let i = 0; i < 12; i++) {
      live.schedule(`ab${i}`);
      nextFrame();
    }
    expect(seen.length).toBeLessThanOrEqual(1 + Math.ceil((12 * 1000) / 60 / LIVE_TEXT_INTERVAL_MS));
    expect(seen.length).toBeGreaterThanOrEqual(6);
    // The last text shows once its turn comes.
    nextFrame();
    expect(seen[seen.length - 1]).toBe("ab11");
    expect(frames).toHaveLength(0);
  });
});
