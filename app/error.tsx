"use client";
import en from "@/lib/i18n/messages/en/common.json";
import zh from "@/lib/i18n/messages/zh-CN/common.json";

/**
 * The root error boundary renders outside every section's providers, and its code ships with
 * every page: it reads the page's language from <html lang> and uses no component library.
 */
export default function ErrorPage({ reset }: { error: Error & { digest?: string }; reset: () => void }) {
  const t = typeof document !== "undefined" && document.documentElement.lang === "en" ? en : zh;
  return (
    <main className="mx-auto flex min-h-[60dvh] max-w-md flex-col items-center justify-center gap-3 px-6 text-center">
      <h1 className="text-lg font-semibold">{t.errorTitle}</h1>
      <p className="text-sm text-slate-500">{t.errorHint}</p>
      <button
        type="button"
        onClick={reset}
        className="inline-flex h-10 items-center justify-center rounded-xl bg-brand-600 px-4 text-sm font-medium text-white shadow-sm hover:bg-brand-700"
      >
        {t.retry}
      </button>
    </main>
  );
}
