import { notFound } from "next/navigation";
import { desc } from "drizzle-orm";
import { getTranslations } from "next-intl/server";
import { env } from "@/lib/server/env";
import { getDb } from "@/lib/server/db";
import { smsMessage } from "@/lib/db/schema";
import { Logo } from "@/components/shell/logo";
import { AutoRefresh } from "@/components/shell/auto-refresh";

export const dynamic = "force-dynamic";
export const metadata = { title: "Dev SMS inbox" };

/**
 * The console SMS sender's inbox, so a newcomer can sign in without a carrier gateway. It shows
 * every code texted to anyone: demo mode only (DEMO_MODE=true), never by default.
 */
export default async function DevSmsPage() {
  if (!env.demoMode) notFound();
  const t = await getTranslations("devSms");
  const db = await getDb();
  const rows = await db.select().from(smsMessage).orderBy(desc(smsMessage.createdAt)).limit(50);
  return (
    <main className="mx-auto max-w-2xl px-4 py-6">
      <AutoRefresh seconds={3} />
      <div className="mb-4 flex items-center justify-between">
        <Logo />
        <span className="rounded-full bg-amber-100 px-2 py-0.5 text-xs font-medium text-amber-800">{t("badge")}</span>
      </div>
      <h1 className="text-xl font-semibold">{t("title")}</h1>
      <p className="mt-1 text-sm text-slate-500">{t("hint")}</p>
      <ul className="mt-4 space-y-2" data-testid="sms-list">
        {rows.length === 0 ? <li className="rounded-xl bg-white p-4 text-sm text-slate-500 ring-1 ring-slate-200">{t("empty")}</li> : null}
        {rows.map((m) => (
          <li key={m.id} className="rounded-xl bg-white p-4 ring-1 ring-slate-200" data-testid="sms-item" data-phone={m.phone}>
            <div className="flex items-center justify-between text-xs text-slate-500">
              <span className="font-mono tabular">{m.phone}</span>
              <time dateTime={m.createdAt.toISOString()}>{m.createdAt.toLocaleString("zh-CN", { timeZone: "Asia/Shanghai" })}</time>
            </div>
            <p className="mt-1 text-sm text-slate-800">{m.body}</p>
          </li>
        ))}
      </ul>
    </main>
  );
}
