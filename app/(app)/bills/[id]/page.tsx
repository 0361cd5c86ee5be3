import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { ArrowLeft, Download, MessageSquare } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { getBill, listBillUsage, type UsageFilter } from "@/lib/billing/bills";
import { getModel } from "@/lib/catalog";
import { formatInt, formatTokens, formatYuan, type Locale } from "@/lib/core/format";
import { Badge, Card, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { LinkArea } from "@/components/link-area";
import { Select, Input } from "@/components/ui/input";
import { DailyChart, ModelBreakdown } from "@/components/bills/usage-charts";
import { formatDateTime } from "@/components/plans/dates";
import { cn } from "@/lib/cn";
import { billIdSchema, billQuerySchema } from "../query";

export const dynamic = "force-dynamic";
const PAGE_SIZE = 20;

type Search = { model?: string; day?: string; page?: string };

export default async function BillPage({
  params,
  searchParams,
}: {
  params: Promise<{ id: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const user = await requireUser();
  const { id } = await params;
  // A malformed id, day or page is a page that does not exist, never a database error.
  const query = billQuerySchema.safeParse(await searchParams);
  if (!billIdSchema.safeParse(id).success || !query.success) notFound();
  const locale = (await getLocale()) as Locale;
  const t = await getTranslations("bills");
  const db = await getDb();
  const filter: UsageFilter = { modelId: query.data.model, day: query.data.day };
  const page = query.data.page ?? 1;
  const full = await getBill(db, { billId: id, userId: user.id });
  if (!full) notFound();
  const filtered = filter.modelId || filter.day ? await getBill(db, { billId: id, userId: user.id, filter }) : full;
  const usage = await listBillUsage(db, { billId: id, userId: user.id, filter, page, pageSize: PAGE_SIZE });
  if (!filtered || !usage) notFound();

  const b = full.bill;
  const [y, m] = b.cycle.split("-");
  const modelName = (mid: string) => getModel(mid)?.name ?? mid;
  const pages = Math.max(1, Math.ceil(usage.total / PAGE_SIZE));
  const qs = (over: Partial<Search>) => {
    const q = new URLSearchParams();
    const merged = { model: filter.modelId, day: filter.day, ...over };
    for (const [k, v] of Object.entries(merged)) if (v) q.set(k, String(v));
    const s = q.toString();
    return s ? `?${s}` : "";
  };
  const used = full.allowance.planTokensUsed;
  const granted = full.allowance.granted;
  const pct = granted > 0n ? Math.min(100, Number((used * 100n) / granted)) : 0;

  return (
    <div className="mx-auto w-full max-w-3xl px-4 py-5">
      <Link href="/bills" prefetch={false} className="mb-3 inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800">
        <ArrowLeft className="size-4" />
        {t("back")}
      </Link>
      <div className="mb-4 flex flex-wrap items-end justify-between gap-3">
        <div>
          <h1 className="flex items-center gap-2 text-xl font-semibold tracking-tight text-slate-900 sm:text-2xl">
            {t("cycle", { year: y!, month: String(Number(m)) })}
            <Badge tone={b.status === "open" ? "brand" : "slate"}>{b.status === "open" ? t("open") : t("closed")}</Badge>
          </h1>
          <p className="mt-1 text-sm text-slate-500">
            {t("total")}{" "}
            <span className="text-lg font-semibold tabular text-slate-900" data-testid="bill-total">
              {formatYuan(b.totalFen)}
            </span>
          </p>
        </div>
        <Button asChild variant="secondary" size="sm">
          <a href={`/api/bills/${b.id}/csv${qs({})}`} download data-testid="export-csv">
            <Download />
            {t("exportCsv")}
          </a>
        </Button>
      </div>

      <div className="grid gap-3 sm:grid-cols-2">
        <Card>
          <CardTitle>{t("lines")}</CardTitle>
          {full.lines.length === 0 ? (
            <p className="mt-3 text-sm text-slate-500">{t("noLines")}</p>
          ) : (
            <ul className="mt-3 divide-y divide-slate-100" data-testid="bill-lines">
              {full.lines.map((l) => (
                <li key={l.id} className="flex items-start justify-between gap-3 py-2.5 text-sm">
                  <div className="min-w-0">
                    <p className="font-medium text-slate-800">{t(`kind.${l.kind}`)}</p>
                    <p className="text-xs text-slate-500">{l.description}</p>
                  </div>
                  <p className={cn("shrink-0 font-medium tabular", l.amountFen < 0n ? "text-emerald-600" : "text-slate-900")}>{formatYuan(l.amountFen)}</p>
                </li>
              ))}
              <li className="flex justify-between pt-2.5 text-sm font-semibold">
                <span>{t("total")}</span>
                <span className="tabular">{formatYuan(b.totalFen)}</span>
              </li>
            </ul>
          )}
        </Card>
        <Card>
          <CardTitle>{t("allowance")}</CardTitle>
          <p className="mt-3 text-2xl font-semibold tabular text-slate-900" data-testid="bill-used">
            {formatTokens(used, locale)}
          </p>
          <p className="text-sm text-slate-500">
            {granted > 0n
              ? t("usedOf", { used: formatTokens(used, locale), total: formatTokens(granted, locale) })
              : t("usedNoAllowance", { used: formatTokens(used, locale) })}
          </p>
          {granted > 0n ? (
            <div className="mt-3 h-2 overflow-hidden rounded-full bg-slate-100">
              <div
                className={cn("h-full rounded-full", pct >= 100 ? "bg-red-500" : pct >= 80 ? "bg-amber-500" : "bg-brand-600")}
                style={{ width: `${pct}%` }}
              />
            </div>
          ) : null}
          {full.allowance.carriedOver > 0n ? (
            <p className="mt-3 text-sm text-slate-600" data-testid="bill-carried-over">
              {t("carriedOver", { tokens: formatTokens(full.allowance.carriedOver, locale) })}
            </p>
          ) : null}
          <p className="mt-3 text-xs text-slate-500">{t("requests", { count: full.byDay.reduce((s, d) => s + d.requests, 0) })}</p>
        </Card>
      </div>

      <Card className="mt-3">
        <CardTitle>{t("daily")}</CardTitle>
        <div className="mt-3">
          <DailyChart locale={locale} data={filtered.byDay.map((d) => ({ day: d.day, planTokens: d.planTokens.toString() }))} />
        </div>
      </Card>

      {full.byModel.length ? (
        <Card className="mt-3">
          <CardTitle>{t("byModel")}</CardTitle>
          <div className="mt-3">
            <ModelBreakdown
              locale={locale}
              data={full.byModel.map((r) => ({
                modelId: r.modelId,
                name: modelName(r.modelId),
                planTokens: r.planTokens.toString(),
                requests: r.requests,
                href: `/bills/${b.id}${qs({ model: r.modelId, page: undefined })}#usage`,
              }))}
            />
          </div>
        </Card>
      ) : null}

      <Card className="mt-3 p-0 sm:p-0" id="usage">
        <div className="flex flex-wrap items-center justify-between gap-2 px-4 pt-4 sm:px-5">
          <CardTitle>{t("usage")}</CardTitle>
          <form method="get" action={`/bills/${b.id}#usage`} className="flex w-full flex-wrap gap-2 sm:w-auto" data-testid="usage-filter">
            <Select name="model" defaultValue={filter.modelId ?? ""} aria-label={t("model")} className="h-9 min-w-0 flex-1 text-sm sm:w-40 sm:flex-none">
              <option value="">{t("allModels")}</option>
              {full.byModel.map((r) => (
                <option key={r.modelId} value={r.modelId}>
                  {modelName(r.modelId)}
                </option>
              ))}
            </Select>
            <Input
              type="date"
              name="day"
              defaultValue={filter.day ?? ""}
              min={`${b.cycle}-01`}
              max={full.byDay.at(-1)?.day}
              aria-label={t("allDays")}
              className="h-9 w-36 text-sm"
            />
            <Button type="submit" size="sm" className="h-9">
              {t("filter")}
            </Button>
            {filter.modelId || filter.day ? (
              <Button asChild size="sm" variant="ghost" className="h-9">
                <Link href={`/bills/${b.id}#usage`} prefetch={false}>
                  {t("clear")}
                </Link>
              </Button>
            ) : null}
          </form>
        </div>
        {usage.rows.length === 0 ? (
          <p className="px-4 py-8 text-center text-sm text-slate-500 sm:px-5">{t("noUsage")}</p>
        ) : (
          // One click listener for the rows' links (a page of rows hydrates as markup, nothing is
          // prefetched): see LinkArea.
          <LinkArea className="mt-3 overflow-x-auto">
            <table className="w-full text-sm" data-testid="usage-table">
              <thead className="border-y border-slate-100 bg-slate-50 text-xs text-slate-500">
                <tr>
                  <th className="px-4 py-2 text-left font-medium sm:px-5">{t("time")}</th>
                  <th className="px-2 py-2 text-left font-medium">{t("model")}</th>
                  <th className="hidden px-2 py-2 text-right font-medium sm:table-cell">{t("tokensIn")}</th>
                  <th className="hidden px-2 py-2 text-right font-medium md:table-cell">{t("tokensCached")}</th>
                  <th className="hidden px-2 py-2 text-right font-medium sm:table-cell">{t("tokensOut")}</th>
                  <th className="hidden px-2 py-2 text-right font-medium md:table-cell">{t("tokensReasoning")}</th>
                  <th className="px-2 py-2 text-right font-medium">{t("planTokens")}</th>
                  <th className="px-4 py-2 text-right font-medium sm:px-5">
                    <span className="sr-only">{t("conversation")}</span>
                  </th>
                </tr>
              </thead>
              <tbody className="divide-y divide-slate-100">
                {usage.rows.map((r) => (
                  <tr key={r.id} data-testid="usage-row">
                    <td className="whitespace-nowrap px-4 py-2.5 tabular text-slate-600 sm:px-5">{formatDateTime(r.createdAt, locale)}</td>
                    <td className="max-w-[8rem] px-2 py-2.5 sm:max-w-[14rem]">
                      <p className="truncate text-slate-800">{modelName(r.modelId)}</p>
                      <p className="text-xs text-slate-500 sm:hidden">
                        {formatInt(r.tokensIn, locale)} / {formatInt(r.tokensOut, locale)}
                        {r.tokensCached || r.tokensReasoning
                          ? ` · ${t("tokensCached")} ${formatInt(r.tokensCached ?? 0, locale)} · ${t("tokensReasoning")} ${formatInt(r.tokensReasoning ?? 0, locale)}`
                          : ""}
                      </p>
                      {r.status !== "ok" || r.refunded ? (
                        <span className="text-xs text-amber-600">{r.refunded ? t("refunded") : t(`status.${r.status}`)}</span>
                      ) : null}
                    </td>
                    <td className="hidden px-2 py-2.5 text-right tabular text-slate-600 sm:table-cell">{formatInt(r.tokensIn, locale)}</td>
                    <td className="hidden px-2 py-2.5 text-right tabular text-slate-600 md:table-cell" data-testid="usage-cached">
                      {r.tokensCached === null ? "—" : formatInt(r.tokensCached, locale)}
                    </td>
                    <td className="hidden px-2 py-2.5 text-right tabular text-slate-600 sm:table-cell">{formatInt(r.tokensOut, locale)}</td>
                    <td className="hidden px-2 py-2.5 text-right tabular text-slate-600 md:table-cell" data-testid="usage-reasoning">
                      {r.tokensReasoning === null ? "—" : formatInt(r.tokensReasoning, locale)}
                    </td>
                    <td className="px-2 py-2.5 text-right font-medium tabular text-slate-900">{formatInt(r.planTokens, locale)}</td>
                    <td className="px-4 py-2.5 text-right sm:px-5">
                      {r.conversationId ? (
                        <a
                          href={`/chat/${r.conversationId}`}
                          className="inline-flex items-center gap-1 text-brand-600 hover:underline"
                          aria-label={t("open_conversation")}
                        >
                          <MessageSquare className="size-4" />
                        </a>
                      ) : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </LinkArea>
        )}
        <div className="flex items-center justify-between gap-2 px-4 py-3 text-xs text-slate-500 sm:px-5">
          <span data-testid="usage-page">{t("page", { page: usage.page, pages, total: usage.total })}</span>
          <div className="flex gap-2">
            {page > 1 ? (
              <Button asChild size="sm" variant="secondary">
                <Link href={`/bills/${b.id}${qs({ page: String(page - 1) })}#usage`} prefetch={false}>
                  {t("prev")}
                </Link>
              </Button>
            ) : null}
            {page < pages ? (
              <Button asChild size="sm" variant="secondary">
                <Link href={`/bills/${b.id}${qs({ page: String(page + 1) })}#usage`} prefetch={false}>
                  {t("next")}
                </Link>
              </Button>
            ) : null}
          </div>
        </div>
      </Card>
    </div>
  );
}
