import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { ChevronRight, Receipt } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { listBills } from "@/lib/billing/bills";
import { formatTokens, formatYuan, type Locale } from "@/lib/core/format";
import { Badge, Card, EmptyState, PageHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { LinkArea } from "@/components/link-area";

export const dynamic = "force-dynamic";

export default async function BillsPage() {
  const user = await requireUser();
  const locale = (await getLocale()) as Locale;
  const t = await getTranslations("bills");
  const bills = await listBills(await getDb(), { userId: user.id });
  return (
    <div className="mx-auto w-full max-w-3xl px-4 py-5">
      <PageHeader title={t("title")} description={t("subtitle")} />
      {bills.length === 0 ? (
        <EmptyState
          icon={<Receipt className="size-8" />}
          title={t("empty")}
          hint={t("emptyHint")}
          action={
            <Button asChild>
              <Link prefetch={false} href="/plans">
                {(await getTranslations("plans"))("title")}
              </Link>
            </Button>
          }
        />
      ) : (
        <LinkArea>
          <Card className="divide-y divide-slate-100 p-0 sm:p-0">
            {bills.map((b) => {
              const [y, m] = b.cycle.split("-");
              return (
                <a key={b.id} href={`/bills/${b.id}`} className="flex items-center gap-3 px-4 py-4 hover:bg-slate-50 sm:px-5" data-testid="bill-row">
                  <div className="flex size-10 shrink-0 items-center justify-center rounded-xl bg-brand-50 text-brand-600">
                    <Receipt className="size-5" />
                  </div>
                  <div className="min-w-0 flex-1">
                    <p className="flex items-center gap-2 font-medium text-slate-900">
                      {t("cycle", { year: y!, month: String(Number(m)) })}
                      <Badge tone={b.status === "open" ? "brand" : "slate"}>{b.status === "open" ? t("open") : t("closed")}</Badge>
                    </p>
                    <p className="mt-0.5 text-xs text-slate-500">
                      {t("requests", { count: b.requests })} · {formatTokens(b.planTokens, locale)} {t("tokensUnit")}
                    </p>
                  </div>
                  <p className="text-base font-semibold tabular text-slate-900">{formatYuan(b.totalFen)}</p>
                  <ChevronRight className="size-4 text-slate-400" />
                </a>
              );
            })}
          </Card>
        </LinkArea>
      )}
    </div>
  );
}
