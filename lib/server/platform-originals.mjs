// Imported first by server.mjs, before Next loads and replaces `Date.now` and
// `crypto.randomUUID` with versions that look up its request stores on every call: the developer
// API's request path reads the originals (lib/core/clock.ts).
import crypto from "node:crypto";

globalThis[Symbol.for("unitoken.platform-originals")] = { now: Date.now, randomUUID: crypto.randomUUID };
