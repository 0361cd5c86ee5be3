import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ChevronRight, Users, KeyRound, Package, Receipt } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { Card, PageHeader } from "@/components/ui/card";
import { LanguageSwitch } from "@/components/shell/language-switch";
import { SignOutButton } from "@/components/shell/sign-out-button";
import { ProfileCard } from "@/components/settings/nickname-form";
import { ConfirmThresholdForm } from "@/components/balance/confirm-threshold-form";
import { getDb } from "@/lib/server/db";
import { getConfirmThresholds } from "@/lib/chat";

export const dynamic = "force-dynamic";

export default async function SettingsPage() {
  const user = await requireUser();
  const t = await getTranslations("settings");
  const tc = await getTranslations("common");
  const thresholds = await getConfirmThresholds(await getDb(), { userId: user.id });
  const str = (n: bigint | null) => (n === null ? null : n.toString());
  const links = [
    { href: "/plans", label: tc("nav.plans"), icon: Package },
    { href: "/bills", label: tc("nav.bills"), icon: Receipt },
    { href: "/family", label: tc("nav.family"), icon: Users },
    { href: "/keys", label: tc("nav.keys"), icon: KeyRound },
  ];
  return (
    <div className="mx-auto w-full max-w-2xl px-4 py-5">
      <PageHeader title={t("title")} />
      <ProfileCard name={user.name} phone={user.phone} />
      <Card className="mt-4 p-0 sm:p-0">
        <ul className="divide-y divide-slate-100">
          {links.map(({ href, label, icon: Icon }) => (
            <li key={href}>
              <Link prefetch={false} href={href} className="flex items-center gap-3 px-4 py-3.5 hover:bg-slate-50">
                <Icon className="size-5 text-slate-500" />
                <span className="flex-1 text-sm">{label}</span>
                <ChevronRight className="size-4 text-slate-400" />
              </Link>
            </li>
          ))}
          <li className="flex items-center justify-between px-4 py-2.5">
            <span className="text-sm">{tc("language")}</span>
            <LanguageSwitch />
          </li>
        </ul>
      </Card>
      <ConfirmThresholdForm initial={{ self: str(thresholds.self), owner: str(thresholds.owner), effective: str(thresholds.effective) }} />
      <div className="mt-6">
        <SignOutButton />
      </div>
    </div>
  );
}
