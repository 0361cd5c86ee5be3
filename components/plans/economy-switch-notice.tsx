"use client";
import { useTranslations } from "next-intl";
import { ShieldCheck } from "lucide-react";

/** On a reply 放心用 served on the payer's economical model: says it switched, and why. */
export function EconomySwitchNotice({ model }: { model: string }) {
  const t = useTranslations("plans.safetyNet");
  return (
    <p
      role="note"
      data-testid="economy-switch-notice"
      className="mb-2 flex items-start gap-1.5 rounded-lg bg-brand-50 px-2.5 py-1.5 text-xs text-brand-800 ring-1 ring-brand-100"
    >
      <ShieldCheck className="mt-px size-3.5 shrink-0" aria-hidden />
      <span>{t("switchedNotice", { model })}</span>
    </p>
  );
}
