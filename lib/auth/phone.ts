import { z } from "zod";

/** Mainland China mobile numbers: 11 digits starting 1[3-9]. Accepts +86 / spaces / dashes. */
export const phoneSchema = z
  .string()
  .trim()
  .transform((v) => v.replace(/[\s-]/g, "").replace(/^(\+?86)(?=1\d{10}$)/, ""))
  .pipe(z.string().regex(/^1[3-9]\d{9}$/, "invalid_phone"));

export const codeSchema = z.string().trim().regex(/^\d{6}$/, "invalid_code_format");
