import { useLocale, useTranslations } from "next-intl";
import { MessageCircle } from "lucide-react";
import { formatTokens, formatInt, type Locale } from "@/lib/core/format";
import { Card, CardTitle } from "@/components/ui/card";

export const REPLY_TOKENS = 500n;
/** The tier shown when we know nothing about the user's plan: 15M plan tokens. */
export const DEFAULT_ALLOWANCE = 15_000_000n;

/** How many 500-token replies `allowance` plan tokens buy at `outMicro` (rounded down). */
export function repliesFor(allowance: bigint, outMicro: bigint): bigint {
  const perReply = (REPLY_TOKENS * outMicro + 999_999n) / 1_000_000n;
  return perReply > 0n ? allowance / perReply : 0n;
}

/** "≈ N replies of 500 tokens" for the user's plan. `allowance` comes from the caller (balance or plan). */
export function PlanBuys({ allowance, basis, outMicro }: { allowance: bigint; basis: "balance" | "default"; outMicro: bigint }) {
  const t = useTranslations("models.detail");
  const locale = useLocale() as Locale;
  const n = repliesFor(allowance, outMicro);
  return (
    <Card className="bg-gradient-to-br from-brand-600 to-brand-800 text-white ring-0" data-testid="plan-buys">
      <CardTitle className="flex items-center gap-2 text-white/90">
        <MessageCircle className="size-4" />
        {t("planBuys")}
      </CardTitle>
      <p className="mt-2 text-3xl font-semibold tracking-tight tabular" data-testid="plan-replies" data-replies={n.toString()}>
        {t("replies", { count: formatInt(n, locale) })}
      </p>
      <p className="mt-1 text-sm text-white/80">
        {basis === "balance" ? t("basisBalance", { amount: formatTokens(allowance, locale) }) : t("basisDefault", { amount: formatTokens(allowance, locale) })}
      </p>
      <p className="mt-1 text-xs text-white/70">{t("repliesHint")}</p>
    </Card>
  );
}
