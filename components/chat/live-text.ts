import { useSyncExternalStore } from "react";

/**
 * The text of the reply being streamed, outside React state: text events are buffered and reach
 * the screen on an animation frame, at most every LIVE_TEXT_INTERVAL_MS, and only the streaming message subscribes, so
 * nothing else renders while a reply streams.
 */
export type LiveText = {
  get(): string;
  /** Replaces the text now (no frame wait): the start of a reply. */
  reset(text?: string): void;
  /** Sets the text at the next animation frame at least LIVE_TEXT_INTERVAL_MS after the last update; later calls win. */
  schedule(text: string): void;
  /** Drops a scheduled update. */
  cancel(): void;
  subscribe(listener: () => void): () => void;
};

/**
 * The least time between two updates on screen: about 30 a second (every other frame at 60 Hz),
 * faster than anyone reads, and half the rendering, layout and paint a stream costs a slow phone,
 * which leaves its frames to scrolling and typing.
 */
export const LIVE_TEXT_INTERVAL_MS = 30;

export function createLiveText(): LiveText {
  let current = "";
  let pending: string | null = null;
  let frame = 0;
  let shownAt = -Infinity;
  const listeners = new Set<() => void>();
  const emit = () => listeners.forEach((l) => l());
  const flush = (now: number) => {
    frame = 0;
    if (pending === null) return;
    if (now - shownAt < LIVE_TEXT_INTERVAL_MS) {
      frame = requestAnimationFrame(flush);
      return;
    }
    shownAt = now;
    current = pending;
    pending = null;
    emit();
  };
  const cancel = () => {
    if (frame) cancelAnimationFrame(frame);
    frame = 0;
    pending = null;
  };
  return {
    get: () => current,
    cancel,
    reset(text = "") {
      cancel();
      current = text;
      emit();
    },
    schedule(text) {
      pending = text;
      if (!frame) frame = requestAnimationFrame(flush);
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

const noSubscribe = () => () => {};

/** The live text while `live` is set, else `fallback`. */
export function useLiveText(live: LiveText | undefined, fallback: string): string {
  return useSyncExternalStore(live ? live.subscribe : noSubscribe, live ? live.get : () => fallback, () => fallback);
}
