import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { ShieldCheck, ChevronRight, ScrollText } from "lucide-react";
import { requireStaff } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { listAudit } from "@/lib/support/audit";
import { listApprovals } from "@/lib/support/actions";
import { GOODWILL_APPROVAL_CAP } from "@/lib/support/config";
import { formatTokens } from "@/lib/core/format";
import { Card, CardTitle, EmptyState, PageHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { AccountLookup } from "@/components/support/lookup";
import { AuditList } from "@/components/support/audit-list";

export const dynamic = "force-dynamic";

export default async function SupportHome() {
  await requireStaff();
  const t = await getTranslations("support");
  const locale = (await getLocale()) as "zh-CN" | "en";
  const db = await getDb();
  const [pending, recent] = await Promise.all([listApprovals(db, { status: "pending" }), listAudit(db, { limit: 6 })]);
  return (
    <div className="grid gap-6 lg:grid-cols-[minmax(0,1fr)_22rem]">
      <section>
        <PageHeader title={t("lookup.title")} description={t("lookup.description")} />
        <AccountLookup />
      </section>
      <aside className="space-y-4 lg:pt-[4.25rem]">
        <Card>
          <div className="flex items-start gap-3">
            <div className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-amber-50 text-amber-600">
              <ShieldCheck className="size-5" />
            </div>
            <div className="min-w-0 flex-1">
              <CardTitle className="flex items-center gap-2">
                {t("home.pending")}
                <span className="rounded-full bg-slate-100 px-2 text-sm tabular-nums text-slate-700">{pending.length}</span>
              </CardTitle>
              <p className="mt-0.5 text-xs text-slate-500">{t("home.pendingHint", { cap: formatTokens(GOODWILL_APPROVAL_CAP, locale) })}</p>
            </div>
          </div>
          {pending.length ? (
            <Button asChild variant="secondary" size="sm" className="mt-3 w-full">
              <Link prefetch={false} href="/support/approvals">
                {t("home.viewApprovals")}
                <ChevronRight />
              </Link>
            </Button>
          ) : null}
        </Card>
        <Card>
          <div className="mb-3 flex items-center justify-between">
            <CardTitle>{t("home.recent")}</CardTitle>
            <Link prefetch={false} href="/support/audit" className="text-sm text-brand-700 hover:underline">
              {t("home.viewAll")}
            </Link>
          </div>
          {recent.length ? <AuditList entries={recent} compact /> : <EmptyState icon={<ScrollText className="size-6" />} title={t("home.noRecent")} />}
        </Card>
      </aside>
    </div>
  );
}
