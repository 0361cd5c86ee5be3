"use client";
import { useCallback, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import type { QuoteView } from "@/app/actions/quote";
import { formatInt, type Locale } from "@/lib/core/format";
import { fetchQuote, quoteQueryKey } from "./quote";

type QuoteInput = {
  text: string;
  modelId: string;
  conversationId: string | null;
  assistant?: string;
  parentId?: string | null;
  attachmentIds?: readonly string[];
};
type Pending = { hold: string; expected: string | null; threshold: string | null };

/**
 * "单条超过 N tokens 时先确认": before a send, asks when the message's quote is above the user's
 * threshold. `ask` resolves to the hold the user confirmed (sent with the message, the server
 * checks it), undefined when no confirmation is needed, or false when the user declined.
 */
export function useSendConfirmation() {
  const queryClient = useQueryClient();
  const [pending, setPending] = useState<Pending | null>(null);
  const resolver = useRef<((v: string | false) => void) | null>(null);

  const confirmHold = useCallback((p: Pending) => {
    resolver.current?.(false);
    return new Promise<string | false>((resolve) => {
      resolver.current = resolve;
      setPending(p);
    });
  }, []);

  const ask = useCallback(
    async (input: QuoteInput): Promise<string | undefined | false> => {
      // No threshold known from the composer's last quote: the server's gate is the backstop.
      const cached = queryClient.getQueriesData<QuoteView | null>({ queryKey: ["quote"] }).find(([, q]) => q)?.[1];
      if (!cached || cached.confirmAbove === null) return undefined;
      let q: QuoteView | null;
      try {
        q = await queryClient.fetchQuery({ queryKey: quoteQueryKey(input), queryFn: () => fetchQuote(input), staleTime: 0 });
      } catch {
        return undefined;
      }
      if (!q || q.confirmAbove === null || BigInt(q.hold) <= BigInt(q.confirmAbove)) return undefined;
      return confirmHold({ hold: q.hold, expected: q.expected, threshold: q.confirmAbove });
    },
    [queryClient, confirmHold],
  );

  const close = (v: string | false) => {
    resolver.current?.(v);
    resolver.current = null;
    setPending(null);
  };

  const dialog = <ConfirmDialog pending={pending} onAnswer={close} />;
  return { ask, confirmHold, dialog };
}

function ConfirmDialog({ pending, onAnswer }: { pending: Pending | null; onAnswer: (v: string | false) => void }) {
  const t = useTranslations("spend.confirm");
  const tq = useTranslations("spend.quote");
  const locale = useLocale() as Locale;
  return (
    <Dialog open={!!pending} onOpenChange={(o) => (!o ? onAnswer(false) : undefined)}>
      <DialogContent
        title={t("title")}
        description={pending?.threshold ? t("description", { threshold: formatInt(BigInt(pending.threshold), locale) }) : t("descriptionServer")}
      >
        {pending ? (
          <div className="space-y-4" data-testid="send-confirm">
            <p className="rounded-xl bg-slate-50 px-4 py-3 text-sm text-slate-800 tabular ring-1 ring-slate-200">
              {pending.expected
                ? tq("line", { max: formatInt(BigInt(pending.hold), locale), expected: formatInt(BigInt(pending.expected), locale) })
                : t("maxOnly", { max: formatInt(BigInt(pending.hold), locale) })}
            </p>
            <p className="text-xs text-slate-500">{t("settleHint")}</p>
            <div className="flex justify-end gap-2">
              <Button variant="secondary" onClick={() => onAnswer(false)}>
                {t("cancel")}
              </Button>
              <Button onClick={() => onAnswer(pending.hold)}>{t("send")}</Button>
            </div>
          </div>
        ) : null}
      </DialogContent>
    </Dialog>
  );
}
