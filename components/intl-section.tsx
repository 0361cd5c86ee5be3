import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages } from "next-intl/server";
import { sectionMessages, type Section } from "@/lib/i18n/sections";

/** The client-side translations of one section of the app: only the namespaces it uses go to the browser. */
export async function IntlSection({ section, children }: { section: Section; children: React.ReactNode }) {
  const [locale, messages] = await Promise.all([getLocale(), getMessages()]);
  return (
    <NextIntlClientProvider locale={locale} messages={sectionMessages(messages, section)} timeZone="Asia/Shanghai">
      {children}
    </NextIntlClientProvider>
  );
}
