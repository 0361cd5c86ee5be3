"use client";
import { useTranslations } from "next-intl";

/** What a failed action returns: `{ ok: false, code }`, maybe with details for the message. */
export type FailureLike = { code: string; details?: Record<string, unknown> };

/**
 * The one mapper from a failure code to what a user reads. Looks in the feature's own
 * `<namespace>.errors` first, then in the shared `errors`; a zod issue whose message is a shared
 * error code (`invalid_input` with details.issues) reads as that code; anything unknown reads as
 * the feature's `errors.fallback` (given the code) if it has one, else as `errors.internal`.
 */
export function useFailureText(namespace?: string) {
  const own = useTranslations(namespace ? `${namespace}.errors` : "errors");
  const shared = useTranslations("errors");
  return (f: FailureLike): string => {
    const values = (f.details ?? {}) as Record<string, string | number>;
    if (namespace && own.has(f.code)) return own(f.code, values);
    if (f.code === "invalid_input") {
      const issue = (f.details?.issues as { message?: string }[] | undefined)?.[0]?.message;
      if (issue && shared.has(issue)) return shared(issue);
    }
    if (shared.has(f.code)) return shared(f.code, values);
    if (namespace && own.has("fallback")) return own("fallback", { code: f.code });
    return shared("internal");
  };
}
