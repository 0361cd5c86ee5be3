import { NextIntlClientProvider } from "next-intl";
import { getLocale, getMessages } from "next-intl/server";
import { pickMessages, ROUTE_MESSAGES, sectionMessages, type RouteMessages, type Section } from "@/lib/i18n/sections";
import { MoreMessages } from "@/components/intl-more";

/** The client-side translations of one section of the app: only the namespaces it uses go to the browser. */
export async function IntlSection({ section, children }: { section: Section; children: React.ReactNode }) {
  const [locale, messages] = await Promise.all([getLocale(), getMessages()]);
  return (
    <NextIntlClientProvider locale={locale} messages={sectionMessages(messages, section)} timeZone="Asia/Shanghai">
      {children}
    </NextIntlClientProvider>
  );
}

/**
 * What one route's client components translate beyond its section's shell. A nested
 * NextIntlClientProvider replaces its parent's messages, so the route's are laid over the shell's
 * in the browser (MoreMessages) instead of sending the shell's twice.
 */
export async function IntlRoute({ route, children }: { route: RouteMessages; children: React.ReactNode }) {
  const messages = await getMessages();
  return <MoreMessages messages={pickMessages(messages, ROUTE_MESSAGES[route])}>{children}</MoreMessages>;
}
