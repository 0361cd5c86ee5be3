"use client";
import { useMemo } from "react";
import { NextIntlClientProvider, useLocale, useMessages } from "next-intl";
import { mergeMessages } from "@/lib/i18n/sections";

/** A provider for a subtree that adds `messages` to the ones above it (the inner provider alone would replace them). */
export function MoreMessages({ messages, children }: { messages: Record<string, unknown>; children: React.ReactNode }) {
  const outer = useMessages();
  const locale = useLocale();
  const merged = useMemo(() => mergeMessages(outer as Record<string, unknown>, messages), [outer, messages]);
  return (
    <NextIntlClientProvider locale={locale} messages={merged}>
      {children}
    </NextIntlClientProvider>
  );
}
