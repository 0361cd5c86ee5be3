import { getRequestConfig } from "next-intl/server";
import { cookies } from "next/headers";
import { LOCALE_COOKIE, toLocale } from "./config";
import { loadMessages } from "./messages";

export default getRequestConfig(async () => {
  const store = await cookies();
  const locale = toLocale(store.get(LOCALE_COOKIE)?.value);
  return { locale, messages: loadMessages(locale), timeZone: "Asia/Shanghai" };
});
