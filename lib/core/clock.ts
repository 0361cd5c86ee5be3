/**
 * The clock and request ids of the request path. Under `next start`, Next replaces `Date`,
 * `Date.now` and `crypto.randomUUID` with versions that look up its request stores on every call
 * (to track prerenders with cacheComponents, which this app does not use). server.mjs keeps the
 * originals before Next loads (lib/server/platform-originals.mjs) and the developer API reads them
 * here. Without them (tests, `next dev`) these are the globals, read at each call, so fake timers
 * still apply.
 */
import { randomUUID } from "node:crypto";

export const PLATFORM_ORIGINALS = Symbol.for("unitoken.platform-originals");
type Originals = { now?: () => number; randomUUID?: () => string };
const kept = (globalThis as { [PLATFORM_ORIGINALS]?: Originals })[PLATFORM_ORIGINALS];

/** Milliseconds since the epoch, as Date.now(). */
export const nowMs: () => number = kept?.now ?? (() => Date.now());

/** The current time as a Date. */
export function currentDate(): Date {
  return new Date(nowMs());
}

/** A random UUID (v4), as crypto.randomUUID(). */
export const uuid: () => string = kept?.randomUUID ?? (() => randomUUID());
