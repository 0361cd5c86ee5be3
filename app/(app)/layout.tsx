import Link from "next/link";
import { requireUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { getBalanceView } from "@/lib/ledger";
import { listInvitationNotices } from "@/lib/family";
import { IntlSection } from "@/components/intl-section";
import { Providers } from "@/components/providers";
import { Logo } from "@/components/shell/logo";
import { BottomNav, SideNav } from "@/components/shell/nav";
import { AccountMenu } from "@/components/shell/account-menu";
import { LanguageSwitch } from "@/components/shell/language-switch";
import { BalanceBadge } from "@/components/balance/balance-badge";
import { FamilyInvitationNotice } from "@/components/family/invitation-notice";

export const dynamic = "force-dynamic";

/** The subscriber's shell. Checks the session itself; each page and action checks again. */
export default async function AppLayout({ children }: { children: React.ReactNode }) {
  const user = await requireUser();
  // The badge and the invitation notice render with the page's data: nothing is fetched while it
  // hydrates (a failed read here leaves them to fetch it as before).
  const db = await getDb();
  const now = new Date();
  const [balance, invitations] = await Promise.all([
    getBalanceView(db, { userId: user.id, now }).catch(() => undefined),
    listInvitationNotices(db, { userId: user.id, now }).catch(() => undefined),
  ]);
  return (
    <IntlSection section="app">
      <Providers>
        <div className="min-h-dvh lg:grid lg:grid-cols-[15rem_1fr]">
          <aside className="sticky top-0 hidden h-dvh flex-col gap-6 border-r border-slate-200 bg-white px-3 py-4 lg:flex">
            <Link href="/chat" prefetch={false} className="px-2">
              <Logo />
            </Link>
            <SideNav />
            <div className="mt-auto px-2">
              <LanguageSwitch />
            </div>
          </aside>
          <div className="flex min-h-dvh min-w-0 flex-col">
            <header className="sticky top-0 z-30 flex h-14 items-center justify-between gap-3 border-b border-slate-200 bg-white/90 px-4 backdrop-blur">
              <Link href="/chat" prefetch={false} className="lg:hidden">
                <Logo />
              </Link>
              <div className="hidden lg:block" id="header-slot" />
              <div className="flex items-center gap-2">
                <BalanceBadge initial={balance} />
                <AccountMenu phone={user.phone} name={user.name} role={user.role} />
              </div>
            </header>
            <FamilyInvitationNotice initial={invitations} />
            <main className="flex min-w-0 flex-1 flex-col pb-[calc(4rem+var(--safe-bottom))] lg:pb-0">{children}</main>
          </div>
          <BottomNav />
        </div>
      </Providers>
    </IntlSection>
  );
}
