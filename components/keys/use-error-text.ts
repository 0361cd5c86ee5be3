"use client";
import { useTranslations } from "next-intl";
import type { Failure } from "@/lib/core/errors";

/** A failure code as a sentence: the keys namespace first, then the shared errors. */
export function useKeysErrorText() {
  const tk = useTranslations("keys.errors");
  const te = useTranslations("errors");
  return (f: Failure) => {
    if (tk.has(f.code)) return tk(f.code);
    if (te.has(f.code)) return te(f.code);
    return te("internal");
  };
}
