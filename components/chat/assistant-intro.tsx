"use client";
import { useLocale, useTranslations } from "next-intl";
import { formatInt, type Locale } from "@/lib/core/format";
import { AssistantIcon } from "./assistant-icon";

/** A new chat started from an assistant, as the chat screen shows it before the first message. */
export type AssistantStart = {
  ref: string;
  name: string;
  icon: string;
  description: string;
  openingLine: string;
  /** The system prompt's tokens: sent with every message and charged as prompt. */
  promptTokens: number;
};

export function AssistantIntro({ assistant }: { assistant: AssistantStart }) {
  const t = useTranslations("chatTools.assistants");
  const locale = useLocale() as Locale;
  return (
    <div className="mx-auto flex h-full max-w-2xl flex-col justify-center px-5 py-8" data-testid="assistant-intro">
      <div className="flex flex-col items-center text-center">
        <AssistantIcon icon={assistant.icon} className="size-14 rounded-2xl text-2xl shadow-sm" />
        <h2 className="mt-3 text-xl font-semibold text-slate-900">{assistant.name}</h2>
        {assistant.description ? <p className="mt-1 max-w-sm text-sm text-slate-500">{assistant.description}</p> : null}
      </div>
      {assistant.openingLine ? (
        <div className="mt-6 flex gap-3">
          <AssistantIcon icon={assistant.icon} className="size-8 rounded-full text-sm" />
          <div
            className="rounded-2xl rounded-tl-md bg-white px-4 py-2.5 text-[15px] leading-relaxed text-slate-800 shadow-sm ring-1 ring-slate-200"
            data-testid="opening-line"
          >
            {assistant.openingLine}
          </div>
        </div>
      ) : null}
      <p className="mt-6 text-center text-xs text-slate-400">{t("promptCharged", { tokens: formatInt(assistant.promptTokens, locale) })}</p>
    </div>
  );
}

/** Under a conversation's title: the assistant it was started from. */
export function StartedFrom({ assistant }: { assistant: { name: string; icon: string } | null }) {
  const t = useTranslations("chatBranch");
  if (!assistant?.name) return null;
  return (
    <p className="flex items-center justify-center gap-1 truncate text-[11px] leading-4 text-slate-500 lg:justify-start" data-testid="chat-assistant">
      <AssistantIcon icon={assistant.icon} className="size-3.5 rounded text-[9px] ring-0" />
      <span className="sr-only">{t("startedFrom")}</span>
      <span className="truncate">{assistant.name}</span>
    </p>
  );
}
