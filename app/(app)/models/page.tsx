import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { X } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { catalogOptions, routeOptions } from "@/lib/server/wiring";
import { availabilityOf, getCatalog, parseModelQuery, queryCatalog, serializeModelQuery } from "@/lib/catalog";
import { EmptyState, PageHeader } from "@/components/ui/card";
import { ModelList } from "@/components/models/model-list";
import { ModelFilters } from "@/components/models/model-filters";
import { Pagination } from "@/components/models/pagination";
import { formatPer1K } from "@/components/models/format";
import { toModelCard } from "@/components/models/model-card-data";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("models");
  return { title: t("title") };
}

/** 模型超市: search, filter and sort the catalog; the URL holds the state, pages of 24. */
export default async function ModelsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  await requireUser();
  const t = await getTranslations("models");
  const catalog = getCatalog(catalogOptions());
  const listed = catalog.models.filter((m) => !m.hidden);
  const query = parseModelQuery(await searchParams);
  const result = queryCatalog(listed, query);
  const routes = routeOptions();

  const counts = new Map<string, number>();
  for (const m of listed) for (const p of m.providers) counts.set(p.id, (counts.get(p.id) ?? 0) + 1);
  const providers = catalog.providers.filter((p) => counts.get(p.id)).map((p) => ({ id: p.id, name: p.name, count: counts.get(p.id)! }));
  const filtered = Boolean(query.q || query.providers.length || query.caps.length || query.ctx || query.price);

  return (
    <div className="mx-auto w-full max-w-6xl px-4 py-5">
      <PageHeader title={t("title")} description={t("subtitle", { count: listed.length })} />
      <ModelFilters
        initial={{ q: query.q, providers: query.providers, caps: query.caps, ctx: query.ctx, price: query.price, sort: query.sort }}
        providers={providers}
      />
      <div className="mt-3 flex h-6 items-center justify-between text-sm text-slate-500">
        <span data-testid="result-count" data-total={result.total}>
          {t("results", { total: result.total })}
        </span>
        {filtered ? (
          <Link
            prefetch={false}
            href={`/models${serializeModelQuery({ sort: query.sort })}`}
            className="inline-flex items-center gap-1 text-brand-700 hover:underline"
            data-testid="clear-filters"
          >
            <X className="size-3.5" />
            {t("clearFilters")}
          </Link>
        ) : null}
      </div>
      {result.items.length === 0 ? (
        <div className="mt-3">
          <EmptyState title={t("noResults")} hint={t("noResultsHint")} />
        </div>
      ) : (
        <ModelList cards={result.items.map((m) => toModelCard(m, availabilityOf(m, routes)))} />
      )}
      <Pagination query={query} page={result.page} pages={result.pages} />
      <section
        className="mt-6 rounded-lg border border-emerald-100 bg-emerald-50/60 px-3 py-2.5 text-sm text-slate-600"
        aria-labelledby="charge-rule-title"
        data-testid="charge-rule"
      >
        <h2 id="charge-rule-title" className="font-medium text-emerald-800">
          {t("chargeRule.title")}
        </h2>
        <p className="mt-1 text-xs leading-relaxed">{t("chargeRule.body")}</p>
      </section>
      <p className="mt-3 text-xs leading-relaxed text-slate-500" data-testid="reference-note">
        {t("perK")} ·{" "}
        {t("referenceNote", {
          price: catalog.referencePrice.usdPerM.toFixed(2),
          floor: formatPer1K(catalog.referencePrice.floorMicro),
        })}
      </p>
    </div>
  );
}
