import { useSyncExternalStore } from "react";

/**
 * The text of the reply being streamed, outside React state: text events are buffered and reach
 * the screen at most once per animation frame, and only the streaming message subscribes, so
 * nothing else renders while a reply streams.
 */
export type LiveText = {
  get(): string;
  /** Replaces the text now (no frame wait): the start of a reply. */
  reset(text?: string): void;
  /** Sets the text at the next animation frame; later calls in the same frame win. */
  schedule(text: string): void;
  /** Drops a scheduled update. */
  cancel(): void;
  subscribe(listener: () => void): () => void;
};

export function createLiveText(): LiveText {
  let current = "";
  let pending: string | null = null;
  let frame = 0;
  const listeners = new Set<() => void>();
  const emit = () => listeners.forEach((l) => l());
  const flush = () => {
    frame = 0;
    if (pending === null) return;
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
