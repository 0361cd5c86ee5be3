import type { Metadata } from "next";
import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { getModel } from "@/lib/catalog";
import { readSharedConversation } from "@/lib/chat/share";
import { getDb } from "@/lib/server/db";
import type { Locale } from "@/lib/core/format";
import { formatDay } from "@/components/plans/dates";
import { Logo } from "@/components/shell/logo";
import { SharedReply } from "@/components/chat/shared-reply";

export const dynamic = "force-dynamic";

type Params = { params: Promise<{ token: string }> };

// Never indexed, never followed: the X-Robots-Tag header (next.config.ts) says the same to crawlers that skip HTML.
export async function generateMetadata({ params }: Params): Promise<Metadata> {
  const shared = await readSharedConversation(await getDb(), (await params).token);
  const t = await getTranslations("chatTools.share");
  return {
    title: shared ? shared.title || t("untitled") : t("notFoundTitle"),
    robots: { index: false, follow: false, nocache: true, googleBot: { index: false, follow: false } },
    referrer: "no-referrer",
  };
}

/** A shared conversation, read-only and public: the turns only — no account, no costs. */
export default async function SharedConversationPage({ params }: Params) {
  const shared = await readSharedConversation(await getDb(), (await params).token);
  if (!shared) notFound();
  const t = await getTranslations("chatTools.share");
  const locale = await getLocale();
  return (
    <div className="min-h-dvh bg-slate-50">
      <header className="sticky top-0 z-10 border-b border-slate-200 bg-white/90 backdrop-blur">
        <div className="mx-auto flex h-14 max-w-3xl items-center justify-between gap-3 px-4">
          <Link prefetch={false} href="/" aria-label={t("home")}>
            <Logo />
          </Link>
          <span className="rounded-full bg-slate-100 px-2.5 py-1 text-xs font-medium text-slate-600">{t("readOnly")}</span>
        </div>
      </header>
      <main className="mx-auto max-w-3xl px-4 pb-16 pt-6">
        <h1 className="text-xl font-semibold text-slate-900" data-testid="shared-title">
          {shared.title || t("untitled")}
        </h1>
        <p className="mt-1 text-xs text-slate-500">{t("sharedAt", { day: formatDay(shared.sharedAt, locale as Locale, true) })}</p>
        <div className="mt-6 flex flex-col gap-6" data-testid="shared-messages">
          {shared.messages.map((m, i) =>
            m.role === "user" ? (
              <div key={i} className="flex justify-end" data-testid="shared-user">
                <div className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-md bg-brand-600 px-4 py-2.5 text-[15px] leading-relaxed text-white shadow-sm">
                  {m.content}
                </div>
              </div>
            ) : (
              <SharedReply key={i} text={m.content} modelName={getModel(m.modelId)?.name ?? m.modelId} />
            ),
          )}
        </div>
        <div className="mt-10 rounded-2xl bg-white p-5 text-center shadow-sm ring-1 ring-slate-200">
          <p className="text-sm text-slate-600">{t("cta")}</p>
          <Link
            prefetch={false}
            href="/login"
            className="mt-3 inline-flex h-10 items-center justify-center rounded-xl bg-brand-600 px-4 text-sm font-medium text-white hover:bg-brand-700"
          >
            {t("ctaButton")}
          </Link>
        </div>
      </main>
    </div>
  );
}
