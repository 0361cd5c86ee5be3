export const locales = ["zh-CN", "en"] as const;
export type AppLocale = (typeof locales)[number];
export const defaultLocale: AppLocale = "zh-CN";
export const LOCALE_COOKIE = "NEXT_LOCALE";

export function toLocale(value: string | undefined | null): AppLocale {
  return value === "en" ? "en" : "zh-CN";
}
