"use client";
import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";

export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = useTranslations("common");
  return (
    <main className="mx-auto flex min-h-[60dvh] max-w-md flex-col items-center justify-center gap-3 px-6 text-center">
      <h1 className="text-lg font-semibold">{t("errorTitle")}</h1>
      <p className="text-sm text-slate-500">{t("errorHint")}</p>
      <Button onClick={reset}>{t("retry")}</Button>
    </main>
  );
}
