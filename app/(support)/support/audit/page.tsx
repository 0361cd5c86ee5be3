import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { ScrollText, Filter } from "lucide-react";
import { requireStaff } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { listAudit, listStaff } from "@/lib/support/audit";
import { AUDIT_ACTIONS, type AuditAction } from "@/lib/support/config";
import { Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Input, Label, Select } from "@/components/ui/input";
import { AuditList } from "@/components/support/audit-list";

export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const DAY = /^\d{4}-\d{2}-\d{2}$/;
const PAGE = 50;

/** China-time day bounds for the date filters. */
const dayStart = (d: string) => new Date(`${d}T00:00:00+08:00`);
const dayEnd = (d: string) => new Date(`${d}T23:59:59.999+08:00`);

export default async function AuditPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireStaff();
  const sp = await searchParams;
  const one = (k: string) => (typeof sp[k] === "string" ? (sp[k] as string).trim() : "");
  const action = (AUDIT_ACTIONS as readonly string[]).includes(one("action")) ? (one("action") as AuditAction) : undefined;
  const actor = UUID.test(one("actor")) ? one("actor") : undefined;
  const account = UUID.test(one("account")) ? one("account") : undefined;
  const from = DAY.test(one("from")) ? one("from") : undefined;
  const to = DAY.test(one("to")) ? one("to") : undefined;
  const before = one("before") && !Number.isNaN(Date.parse(one("before"))) ? new Date(one("before")) : undefined;

  const t = await getTranslations("support");
  const db = await getDb();
  const [entries, staff] = await Promise.all([
    listAudit(db, {
      action,
      actorUserId: actor,
      targetUserId: account,
      from: from ? dayStart(from) : undefined,
      to: to ? dayEnd(to) : undefined,
      before,
      limit: PAGE,
    }),
    listStaff(db),
  ]);
  const filtered = !!(action || actor || account || from || to);
  const next =
    entries.length === PAGE
      ? new URLSearchParams({
          ...Object.fromEntries(Object.entries({ action, actor, account, from, to }).filter(([, v]) => v) as [string, string][]),
          before: entries[entries.length - 1]!.at.toISOString(),
        })
      : null;

  return (
    <div className="space-y-4">
      <PageHeader title={t("audit.title")} description={t("audit.description")} />
      <Card>
        <form method="get" className="grid gap-3 sm:grid-cols-2 lg:grid-cols-[repeat(5,minmax(0,1fr))_auto] lg:items-end" data-testid="audit-filters">
          <div className="space-y-1.5">
            <Label htmlFor="f-action">{t("audit.filterAction")}</Label>
            <Select id="f-action" name="action" defaultValue={action ?? ""} className="w-full">
              <option value="">{t("audit.all")}</option>
              {AUDIT_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {t(`auditAction.${a}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="f-actor">{t("audit.filterActor")}</Label>
            <Select id="f-actor" name="actor" defaultValue={actor ?? ""} className="w-full">
              <option value="">{t("audit.all")}</option>
              {staff.map((s) => (
                <option key={s.id} value={s.id}>
                  {s.name ?? s.id.slice(0, 8)}
                </option>
              ))}
            </Select>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="f-account">{t("audit.filterAccount")}</Label>
            <Input id="f-account" name="account" defaultValue={account ?? ""} placeholder="uuid" className="h-10 font-mono text-xs" autoComplete="off" />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="f-from">{t("audit.filterFrom")}</Label>
            <Input id="f-from" name="from" type="date" defaultValue={from ?? ""} className="h-10" />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="f-to">{t("audit.filterTo")}</Label>
            <Input id="f-to" name="to" type="date" defaultValue={to ?? ""} className="h-10" />
          </div>
          <div className="flex gap-2 sm:col-span-2 lg:col-span-1">
            <Button type="submit" className="flex-1 lg:flex-none">
              <Filter />
              {t("audit.apply")}
            </Button>
            {filtered ? (
              <Button asChild variant="ghost">
                <Link prefetch={false} href="/support/audit">
                  {t("audit.reset")}
                </Link>
              </Button>
            ) : null}
          </div>
        </form>
      </Card>
      <Card>
        {entries.length === 0 ? <EmptyState icon={<ScrollText className="size-8" />} title={t("audit.empty")} /> : <AuditList entries={entries} />}
        {next ? (
          <div className="mt-4 text-center">
            <Button asChild variant="secondary" size="sm">
              <Link prefetch={false} href={`/support/audit?${next.toString()}`}>
                {t("audit.more")}
              </Link>
            </Button>
          </div>
        ) : null}
      </Card>
    </div>
  );
}
