import type { Locale } from "@/lib/core/format";

/** A calendar date as people read it, in China time: 12月1日 / Dec 1. */
export function formatDay(d: Date | string, locale: Locale, withYear = false): string {
  return new Date(d).toLocaleDateString(locale === "zh-CN" ? "zh-CN" : "en-US", {
    timeZone: "Asia/Shanghai",
    month: locale === "zh-CN" ? "long" : "short",
    day: "numeric",
    ...(withYear ? { year: "numeric" } : {}),
  });
}

export function formatDateTime(d: Date | string, locale: Locale): string {
  return new Date(d).toLocaleString(locale === "zh-CN" ? "zh-CN" : "en-US", {
    timeZone: "Asia/Shanghai",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  });
}
