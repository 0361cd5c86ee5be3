"use client";
import { useEffect, useState } from "react";
import { keepPreviousData, useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { quoteMyMessage, type QuoteView } from "@/app/actions/quote";
import { formatInt, type Locale } from "@/lib/core/format";
import { QuoteRefusal, QuoteError } from "./attachment-refusal";

/** Typing pauses shorter than this do not ask the server again. */
const QUOTE_DEBOUNCE_MS = 250;

/** `assistant`: a new conversation started from an assistant (its system prompt is quoted too). */
type QuoteInput = {
  text: string;
  modelId: string;
  conversationId: string | null;
  assistant?: string;
  /** The message the new one would follow (the branch on screen); absent: the stored end of the branch. */
  parentId?: string | null;
  /** Files attached to the message (their tokens are quoted too). */
  attachmentIds?: readonly string[];
};

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

export function quoteQueryKey({ text, modelId, conversationId, assistant, parentId, attachmentIds }: QuoteInput) {
  return ["quote", conversationId ?? `new:${assistant ?? ""}`, modelId, text.trim(), parentId ?? "", (attachmentIds ?? []).join(",")] as const;
}

/** The server's quote for a message (null when there is nothing to send). */
export async function fetchQuote({ text, modelId, conversationId, assistant, parentId, attachmentIds }: QuoteInput): Promise<QuoteView | null> {
  const content = text.trim();
  if (!content) return null;
  const r = await quoteMyMessage({
    content,
    modelId,
    conversationId: conversationId ?? undefined,
    assistant: conversationId ? undefined : assistant,
    parentId: conversationId ? parentId : undefined,
    attachmentIds: attachmentIds && attachmentIds.length > 0 ? [...attachmentIds] : undefined,
  });
  if (!r.ok) throw new QuoteError(r.code, r.details);
  return r.quote;
}

/**
 * "本条最多 N · 预计约 M tokens" under the composer. It owns its own state: the composer text and
 * model come in as props, are debounced here, and only this line re-renders when the quote changes.
 */
export function ComposerQuote({ text, modelId, conversationId, assistant, parentId, attachmentIds }: QuoteInput) {
  const t = useTranslations("spend.quote");
  const locale = useLocale() as Locale;
  const debouncedText = useDebounced(text.trim(), QUOTE_DEBOUNCE_MS);
  const input = { text: debouncedText, modelId, conversationId, assistant, parentId, attachmentIds };
  const { data, isError, error, isFetching } = useQuery({
    queryKey: quoteQueryKey(input),
    queryFn: () => fetchQuote(input),
    enabled: debouncedText.length > 0,
    placeholderData: keepPreviousData,
    retry: false,
  });
  const shown = debouncedText.length > 0 && text.trim().length > 0 ? data : null;
  return (
    <p
      className="min-h-5 px-3 pt-0.5 text-xs text-slate-500"
      data-testid="composer-quote"
      data-hold={shown?.hold ?? ""}
      data-expected={shown?.expected ?? ""}
      data-model={shown?.modelId ?? ""}
      aria-live="polite"
      aria-busy={isFetching}
    >
      {shown ? (
        <span className="tabular" title={t("hint", { typical: formatInt(shown.typicalReplyTokens, locale) })}>
          {t("line", { max: formatInt(BigInt(shown.hold), locale), expected: formatInt(BigInt(shown.expected), locale) })}
        </span>
      ) : isError && text.trim() ? (
        error instanceof QuoteError && error.isAttachment ? (
          <QuoteRefusal error={error} />
        ) : (
          <span>{t("unavailable")}</span>
        )
      ) : null}
    </p>
  );
}
