"use client";
import { useTransition } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { Languages } from "lucide-react";
import { setLocaleAction } from "@/app/actions/session";
import { cn } from "@/lib/cn";

export function LanguageSwitch({ className }: { className?: string }) {
  const t = useTranslations("common");
  const locale = useLocale();
  const router = useRouter();
  const [pending, start] = useTransition();
  return (
    <button
      type="button"
      disabled={pending}
      onClick={() =>
        start(async () => {
          await setLocaleAction(locale === "en" ? "zh-CN" : "en");
          router.refresh();
        })
      }
      className={cn("inline-flex items-center gap-1 rounded-lg px-2 py-1 text-sm text-slate-600 hover:bg-slate-100", className)}
      // The name contains the visible text (the other language's name, in that language).
      aria-label={`${t("language")}: ${t("switchLanguage")}`}
    >
      <Languages className="size-4" aria-hidden />
      <span lang={locale === "en" ? "zh-CN" : "en"}>{t("switchLanguage")}</span>
    </button>
  );
}
