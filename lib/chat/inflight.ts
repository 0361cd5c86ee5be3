import type { DoneEvent } from "./send";

type Entry = { abort: AbortController; done: Promise<DoneEvent> };
const g = globalThis as unknown as { __unitokenChatInflight?: Map<string, Entry> };
const inflight = (g.__unitokenChatInflight ??= new Map());

/** Sends running in this server process, by user and request id, so a Stop can reach them. */
export function trackInflight(key: string, entry: Entry): void {
  inflight.set(key, entry);
  entry.done.finally(() => {
    if (inflight.get(key) === entry) inflight.delete(key);
  });
}

/**
 * Stops a running send: the pipeline stops forwarding, keeps reading the upstream (bounded) for
 * the real usage and charges what was delivered. Resolves with the stored reply, or null when
 * nothing is running under that key (already finished).
 */
export async function stopInflight(key: string, timeoutMs = 15_000): Promise<DoneEvent | null> {
  const e = inflight.get(key);
  if (!e) return null;
  e.abort.abort();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const r = await Promise.race([e.done, new Promise<null>((res) => (timer = setTimeout(() => res(null), timeoutMs)))]);
  clearTimeout(timer);
  return r;
}
