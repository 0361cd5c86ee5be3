import { createHash, timingSafeEqual } from "node:crypto";

/** Keys look like `ut-<32 hex: key id><32 base64url: 192-bit secret>`. */
export const KEY_PREFIX = "ut-";
export const ID_HEX = 32;
export const SECRET_LEN = 32;
export const KEY_RE = /^ut-([0-9a-f]{32})([A-Za-z0-9_-]{32})$/;

export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

export function idToHex(id: string): string {
  return id.replace(/-/g, "");
}

function hexToId(hex: string): string {
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Splits a presented key into its id (for lookup) and secret (for the hash check); null when malformed. */
export function parseKey(text: string): { id: string; secret: string } | null {
  const m = KEY_RE.exec(text);
  if (!m) return null;
  return { id: hexToId(m[1]!), secret: m[2]! };
}

/**
 * Constant-time equality of two secrets as strings (a length difference returns at once; a
 * parsed key's secret always has SECRET_LEN characters).
 */
export function sameSecret(a: string, b: string): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a.charCodeAt(i) ^ b.charCodeAt(i);
  return diff === 0;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), "hex");
  const b = Buffer.from(storedHash, "hex");
  return a.length === b.length && timingSafeEqual(a, b);
}
