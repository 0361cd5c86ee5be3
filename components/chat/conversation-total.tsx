"use client";
import { useQuery } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { getMyConversationTotal } from "@/app/actions/receipt";
import { formatInt, type Locale } from "@/lib/core/format";
import { useBalance } from "@/components/balance/use-balance";

/** The conversation's total in the chat header; read again whenever the balance moves (a reply settled). */
export function ConversationTotal({ conversationId }: { conversationId: string | null }) {
  const t = useTranslations("spend.receipt");
  const locale = useLocale() as Locale;
  const { data: balance } = useBalance();
  const { data } = useQuery({
    queryKey: ["conversation-total", conversationId, balance?.available ?? ""],
    queryFn: async () => {
      const r = await getMyConversationTotal({ conversationId: conversationId! });
      if (!r.ok) throw new Error(r.code);
      return r.total;
    },
    enabled: !!conversationId,
    placeholderData: (prev) => prev,
  });
  if (!conversationId || data === undefined) return null;
  return (
    <span
      className="shrink-0 rounded-full bg-slate-100 px-2 py-0.5 text-xs text-slate-600 tabular"
      data-testid="conversation-total"
      data-tokens={data}
      aria-label={t("total", { tokens: formatInt(BigInt(data), locale) })}
      title={t("totalLabel")}
    >
      {t("total", { tokens: formatInt(BigInt(data), locale) })}
    </span>
  );
}
