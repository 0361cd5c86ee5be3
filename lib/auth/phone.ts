import { z } from "zod";

const MAINLAND_MOBILE = /^1[3-9]\d{9}$/;

/**
 * The demo accounts' numbers: 138 0000 000x and 139 0000 000x, the placeholder numbers of
 * Chinese documentation. Accepted only in demo mode, so no one can request a code for, sign in
 * as, or be made staff with a demo number on a real deployment.
 */
const DEMO_RANGE = /^13[89]0{7}\d$/;

export function isDemoPhone(phone: string): boolean {
  return DEMO_RANGE.test(phone);
}

/** Accepts +86 / spaces / dashes and returns the bare 11 digits. */
const normalized = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s-]/g, "").replace(/^(\+?86)(?=1\d{10}$)/, ""));

/**
 * Mainland China mobile numbers: 11 digits starting 1[3-9]. The demo range only when the
 * caller says demo mode is on (the edge reads it from the env; lib/auth never does).
 */
export function phoneSchemaFor({ demo }: { demo: boolean }) {
  return normalized.pipe(
    z
      .string()
      .regex(MAINLAND_MOBILE, "invalid_phone")
      .refine((v) => demo || !isDemoPhone(v), "invalid_phone"),
  );
}

/** Outside demo mode: real numbers only. */
export const phoneSchema = phoneSchemaFor({ demo: false });

export const codeSchema = z
  .string()
  .trim()
  .regex(/^\d{6}$/, "invalid_code_format");
