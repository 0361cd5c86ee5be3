import { redirect } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { Sparkles, Wallet, Users } from "lucide-react";
import { env } from "@/lib/server/env";
import { getCurrentUser } from "@/lib/server/session";
import { DEMO_ACCOUNTS } from "@/lib/server/demo";
import { Logo } from "@/components/shell/logo";
import { LanguageSwitch } from "@/components/shell/language-switch";
import { LoginForm } from "@/components/auth/login-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "登录" };

export default async function LoginPage() {
  const user = await getCurrentUser();
  if (user) redirect(user.role === "support" ? "/support" : "/chat");
  const t = await getTranslations("auth");
  const tc = await getTranslations("common");
  const locale = (await getLocale()) as "zh-CN" | "en";
  const demo = env.demoMode ? DEMO_ACCOUNTS.map((a) => ({ phone: a.phone, name: a.name, note: a.note[locale] })) : null;
  return (
    <main className="min-h-dvh bg-gradient-to-b from-brand-50 via-white to-white">
      <div className="mx-auto flex min-h-dvh w-full max-w-5xl flex-col px-5 py-5 lg:flex-row lg:items-center lg:gap-16">
        <div className="flex items-center justify-between lg:hidden">
          <Logo />
          <LanguageSwitch />
        </div>
        <section className="hidden flex-1 lg:block">
          <Logo className="text-xl" />
          <h2 className="mt-8 text-4xl font-bold leading-tight tracking-tight text-slate-900">{tc("tagline")}</h2>
          <ul className="mt-8 space-y-4 text-slate-600">
            <li className="flex items-center gap-3">
              <Sparkles className="size-5 text-brand-600" />
              {t("features.one")}
            </li>
            <li className="flex items-center gap-3">
              <Wallet className="size-5 text-brand-600" />
              {t("features.two")}
            </li>
            <li className="flex items-center gap-3">
              <Users className="size-5 text-brand-600" />
              {t("features.three")}
            </li>
          </ul>
        </section>
        <section className="mt-8 w-full lg:mt-0 lg:max-w-md">
          <div className="rounded-3xl bg-white p-6 shadow-sm ring-1 ring-slate-200/70 sm:p-8">
            <div className="mb-6 flex items-start justify-between">
              <div>
                <h1 className="text-2xl font-semibold tracking-tight">{t("title")}</h1>
                <p className="mt-1 text-sm text-slate-500">{t("subtitle")}</p>
              </div>
              <div className="hidden lg:block">
                <LanguageSwitch />
              </div>
            </div>
            <LoginForm demoAccounts={demo} />
          </div>
          <p className="mt-4 px-2 text-center text-xs text-slate-400">{t("terms")}</p>
        </section>
      </div>
    </main>
  );
}
