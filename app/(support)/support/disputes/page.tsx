import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { Ticket } from "lucide-react";
import { requireStaff } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { listDisputeQueue, type QueueTicket } from "@/lib/disputes";
import { staffStake } from "@/lib/support/guard";
import { formatInt } from "@/lib/core/format";
import { getModel } from "@/lib/catalog";
import { Badge, Card, CardTitle, EmptyState, PageHeader } from "@/components/ui/card";
import { DisputeAnswer } from "@/components/support/dispute-answer";
import { formatDateTime } from "@/components/support/format";

export const dynamic = "force-dynamic";

export default async function DisputesPage() {
  const staff = await requireStaff();
  const t = await getTranslations("disputes.queue");
  const tr = await getTranslations("disputes");
  const locale = (await getLocale()) as "zh-CN" | "en";
  const db = await getDb();
  const now = new Date();
  const { open, answered } = await listDisputeQueue(db, { now });
  const stake = await staffStake(db, staff.id);
  const age = (minutes: number) => (minutes < 60 ? t("minutes", { n: minutes }) : t("hours", { h: Math.floor(minutes / 60), m: minutes % 60 }));

  const row = (d: QueueTicket) => {
    const own = d.userId === stake.userId;
    return (
      <li key={d.id} className="py-4 first:pt-0 last:pb-0" data-testid="dispute-ticket" data-status={d.status} data-usage-id={d.usageId}>
        <div className="flex flex-wrap items-center gap-2">
          {d.status === "open" ? (
            <Badge tone={d.overdue ? "red" : "amber"} data-testid="dispute-age">
              {d.overdue ? `${t("overdue")} · ` : ""}
              {t("age", { age: age(d.ageMinutes) })}
            </Badge>
          ) : (
            <Badge tone={d.resolution === "refunded" ? "green" : "slate"}>
              {tr(`resolution.${d.resolution ?? "explained"}`)} · {t("answeredIn", { age: age(d.ageMinutes) })}
            </Badge>
          )}
          <Link prefetch={false} href={`/support/accounts/${d.userId}`} className="text-sm text-brand-700 hover:underline">
            {d.name ?? t("unnamed")} <span className="font-mono text-xs tabular-nums">{d.phoneMasked}</span>
          </Link>
          <span className="text-xs text-slate-400">{formatDateTime(d.createdAt, locale)}</span>
        </div>
        <p className="mt-1.5 text-sm text-slate-800">
          <span className="font-medium">{getModel(d.modelId)?.name ?? d.modelId}</span>
          <span className="text-slate-400"> · </span>
          <span className="tabular-nums">
            {t("tokens", { in: formatInt(d.tokensIn, locale), out: formatInt(d.tokensOut, locale), plan: formatInt(d.planTokens, locale) })}
          </span>
          <span className="text-slate-400"> · </span>
          <span className="text-xs text-slate-500">
            {d.providerRoute} · {formatDateTime(d.usageCreatedAt, locale)}
          </span>
          {d.refunded ? (
            <Badge tone="green" className="ml-2">
              {t("refunded")}
            </Badge>
          ) : null}
        </p>
        <p className="mt-1 text-sm text-slate-600">
          <span className="text-slate-400">{t("note")}：</span>
          {d.note || t("noNote")}
        </p>
        {d.answer ? (
          <p className="mt-1 text-sm text-slate-700">
            <span className="text-slate-400">{t("answer")}：</span>
            {d.answer}
          </p>
        ) : null}
        {d.status === "open" ? own ? <p className="mt-2 text-xs text-slate-500">{t("own")}</p> : <DisputeAnswer ticketId={d.id} refunded={d.refunded} /> : null}
      </li>
    );
  };

  return (
    <div className="mx-auto max-w-4xl space-y-4">
      <PageHeader title={t("title")} description={t("description")} />
      <Card>
        <CardTitle className="mb-3 text-sm">
          {t("open")} <span className="ml-1 tabular-nums text-slate-400">{open.length}</span>
        </CardTitle>
        {open.length === 0 ? (
          <EmptyState icon={<Ticket className="size-8" />} title={t("empty")} />
        ) : (
          <ul className="divide-y divide-slate-100">{open.map(row)}</ul>
        )}
      </Card>
      {answered.length > 0 ? (
        <Card>
          <CardTitle className="mb-3 text-sm">{t("answered")}</CardTitle>
          <ul className="divide-y divide-slate-100">{answered.map(row)}</ul>
        </Card>
      ) : null}
    </div>
  );
}
