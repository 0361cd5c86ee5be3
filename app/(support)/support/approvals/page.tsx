import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { ShieldCheck } from "lucide-react";
import { requireStaff } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { listApprovals } from "@/lib/support/actions";
import { staffStake } from "@/lib/support/guard";
import { formatInt, formatTokens } from "@/lib/core/format";
import { Badge, Card, CardTitle, EmptyState, PageHeader } from "@/components/ui/card";
import { ApprovalActions } from "@/components/support/approval-actions";
import { formatDateTime } from "@/components/support/format";

export const dynamic = "force-dynamic";

export default async function ApprovalsPage() {
  const staff = await requireStaff();
  const t = await getTranslations("support");
  const locale = (await getLocale()) as "zh-CN" | "en";
  const db = await getDb();
  const all = await listApprovals(db);
  const stake = await staffStake(db, staff.id);
  const pending = all.filter((a) => a.status === "pending");
  const decided = all.filter((a) => a.status !== "pending").slice(0, 20);

  const row = (a: (typeof all)[number]) => (
    <li key={a.id} className="flex flex-col gap-3 py-4 first:pt-0 last:pb-0 sm:flex-row sm:items-center" data-testid="approval">
      <div className="min-w-0 flex-1">
        <div className="flex flex-wrap items-center gap-2">
          <span className="text-lg font-semibold tabular-nums">{formatTokens(a.amount, locale)}</span>
          <span className="text-xs tabular-nums text-slate-400">{formatInt(a.amount, locale)} tokens</span>
          <Badge tone={a.status === "approved" ? "green" : a.status === "rejected" ? "red" : "amber"}>{t(`approvals.status.${a.status}`)}</Badge>
        </div>
        <p className="mt-1 text-sm text-slate-700">
          <Link prefetch={false} href={`/support/accounts/${a.target.id}`} className="text-brand-700 hover:underline">
            {t("approvals.for", { name: a.target.name ?? t("unnamed") })} <span className="font-mono text-xs tabular-nums">{a.target.maskedPhone}</span>
          </Link>
          <span className="text-slate-400"> · </span>
          {t(`reason.${a.reasonCode as "other"}`)}
          {a.note ? <span className="text-slate-500"> · {a.note}</span> : null}
        </p>
        <p className="mt-0.5 text-xs text-slate-500">
          {t("approvals.requestedBy", { name: a.requester.name ?? "—" })} · {formatDateTime(a.requestedAt, locale)}
          {a.decider ? ` · ${t("approvals.decidedBy", { name: a.decider.name ?? "—" })} ${formatDateTime(a.decidedAt, locale)}` : ""}
        </p>
      </div>
      {a.status === "pending" ? (
        <ApprovalActions approvalId={a.id} own={a.requestedBy === staff.id} beneficiary={a.targetUserId === staff.id || stake.walletIds.has(a.walletId)} />
      ) : null}
    </li>
  );

  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <PageHeader title={t("approvals.title")} description={t("approvals.description")} />
      <Card>
        <CardTitle className="mb-3 text-sm">
          {t("approvals.pending")} <span className="ml-1 tabular-nums text-slate-400">{pending.length}</span>
        </CardTitle>
        {pending.length === 0 ? (
          <EmptyState icon={<ShieldCheck className="size-8" />} title={t("approvals.empty")} />
        ) : (
          <ul className="divide-y divide-slate-100">{pending.map(row)}</ul>
        )}
      </Card>
      <Card>
        <CardTitle className="mb-3 text-sm">{t("approvals.decided")}</CardTitle>
        {decided.length === 0 ? (
          <p className="text-sm text-slate-500">{t("approvals.emptyDecided")}</p>
        ) : (
          <ul className="divide-y divide-slate-100">{decided.map(row)}</ul>
        )}
      </Card>
    </div>
  );
}
