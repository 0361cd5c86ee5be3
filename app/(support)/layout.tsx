import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { eq, sql } from "drizzle-orm";
import { requireStaff } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { supportApproval } from "@/lib/db/schema";
import { StaffNav } from "@/components/support/staff-nav";
import { AccountMenu } from "@/components/shell/account-menu";
import { LanguageSwitch } from "@/components/shell/language-switch";
import { IntlSection } from "@/components/intl-section";
import { Providers } from "@/components/providers";
import { ActionResultHost } from "@/components/support/action-result";

export const dynamic = "force-dynamic";

/**
 * The customer-service shell: staff only. Anyone else — subscribers, family owners, visitors
 * without a session — gets the plain 404 page, so the console's existence is not revealed.
 */
export default async function SupportLayout({ children }: { children: React.ReactNode }) {
  const staff = await requireStaff();
  const t = await getTranslations("support");
  const db = await getDb();
  const [{ n }] = await db.select({ n: sql<number>`count(*)::int` }).from(supportApproval).where(eq(supportApproval.status, "pending"));
  return (
    <IntlSection section="support">
      <Providers>
        <div className="min-h-dvh bg-slate-50">
          <header className="sticky top-0 z-30 bg-slate-900 text-white shadow-sm">
            <div className="mx-auto flex h-14 max-w-7xl items-center gap-4 px-4">
              <Link prefetch={false} href="/support" className="flex items-center gap-2 font-semibold tracking-tight">
                <svg viewBox="0 0 64 64" className="size-7" aria-hidden>
                  <rect width="64" height="64" rx="16" fill="#2553eb" />
                  <path d="M20 18v17a12 12 0 0 0 24 0V18" fill="none" stroke="#fff" strokeWidth="7" strokeLinecap="round" />
                </svg>
                <span>Unitoken</span>
                <span className="rounded-md bg-white/10 px-1.5 py-0.5 text-xs font-medium text-slate-200">{t("console")}</span>
              </Link>
              <div className="hidden flex-1 md:block">
                <StaffNav pending={n} />
              </div>
              <div className="ml-auto flex items-center gap-2">
                <span className="hidden text-sm text-slate-300 sm:inline" data-testid="staff-name">
                  {staff.name}
                </span>
                <LanguageSwitch className="text-slate-300 hover:bg-white/10 hover:text-white" />
                <div className="rounded-full ring-2 ring-white/50">
                  <AccountMenu phone={staff.phone} name={staff.name} role={staff.role} />
                </div>
              </div>
            </div>
            <div className="border-t border-white/10 px-3 py-1.5 md:hidden">
              <StaffNav pending={n} />
            </div>
          </header>
          <main className="mx-auto w-full max-w-7xl px-4 py-5 sm:py-6">
            <ActionResultHost>{children}</ActionResultHost>
          </main>
        </div>
      </Providers>
    </IntlSection>
  );
}
