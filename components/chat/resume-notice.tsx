"use client";
import { useTranslations } from "next-intl";
import { RefreshCw } from "lucide-react";

/** Above the composer while a reply that kept running on the server is followed live. */
export function ResumeNotice() {
  const t = useTranslations("chatLive");
  return (
    <div
      role="status"
      data-testid="reply-resumed"
      className="mb-2 flex items-start gap-2.5 rounded-2xl bg-brand-50 px-4 py-2.5 text-sm text-brand-900 ring-1 ring-brand-100"
    >
      <RefreshCw className="mt-0.5 size-4 shrink-0 animate-spin text-brand-600 [animation-duration:2s]" aria-hidden />
      <div>
        <p className="font-medium">{t("resumed")}</p>
        <p className="text-xs text-brand-800/80">{t("resumedStop")}</p>
      </div>
    </div>
  );
}
