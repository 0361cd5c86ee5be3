"use client";
import { useTranslations } from "next-intl";

/** A failure code as a sentence: this feature's own messages first, then the shared ones. */
export function useErrorText() {
  const t = useTranslations("plans.errors");
  const common = useTranslations("errors");
  return (code: string, details?: Record<string, unknown>) => {
    const values = (details ?? {}) as Record<string, string | number>;
    if (t.has(code)) return t(code, values);
    if (common.has(code)) return common(code, values);
    return common("internal");
  };
}
