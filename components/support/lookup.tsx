"use client";
import * as React from "react";
import Link from "next/link";
import { useLocale, useTranslations } from "next-intl";
import { Search, ChevronRight, UserRoundSearch } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { Input, Label, FieldError } from "@/components/ui/input";
import { lookupAccountsAction, type LookupRow } from "@/app/actions/support";
import { formatDateTime } from "./format";
import { useFailureText } from "@/components/use-failure-text";

/**
 * Lookup by phone, last 4 digits + name, account/bill/charge id. Sent as a POST (server
 * action), so customers' numbers and names never land in URLs or browser history.
 */
export function AccountLookup() {
  const t = useTranslations("support");
  const locale = useLocale();
  const errorText = useFailureText("support");
  const [query, setQuery] = React.useState("");
  const [name, setName] = React.useState("");
  const [results, setResults] = React.useState<LookupRow[] | null>(null);
  const [error, setError] = React.useState<string | null>(null);
  const [pending, start] = React.useTransition();
  const last4 = /^\d{4}$/.test(query.trim());

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    start(async () => {
      const r = await lookupAccountsAction({ query, name: name.trim() || undefined });
      if (!r.ok) {
        setError(errorText(r));
        setResults(null);
        return;
      }
      setResults(r.results);
    });
  }

  return (
    <div className="space-y-4">
      <Card>
        <form onSubmit={submit} className="grid gap-3 md:grid-cols-[minmax(0,2fr)_minmax(0,1fr)_auto] md:items-end" role="search">
          <div className="space-y-1.5">
            <Label htmlFor="lookup-query">{t("lookup.query")}</Label>
            <Input
              id="lookup-query"
              value={query}
              onChange={(e) => setQuery(e.target.value)}
              placeholder={t("lookup.queryPlaceholder")}
              autoComplete="off"
              autoFocus
              inputMode="text"
            />
          </div>
          <div className="space-y-1.5">
            <Label htmlFor="lookup-name">{t("lookup.name")}</Label>
            <Input
              id="lookup-name"
              value={name}
              onChange={(e) => setName(e.target.value)}
              placeholder={t("lookup.namePlaceholder")}
              autoComplete="off"
              aria-required={last4}
            />
          </div>
          <Button type="submit" disabled={pending || !query.trim()} className="h-11">
            <Search />
            {pending ? t("lookup.searching") : t("lookup.search")}
          </Button>
          <p className="text-xs text-slate-500 md:col-span-3">
            {last4 && !name.trim() ? <span className="text-amber-700">{t("lookup.nameHint")}</span> : t("lookup.description")}
          </p>
          {error ? (
            <div className="md:col-span-3">
              <FieldError>{error}</FieldError>
            </div>
          ) : null}
        </form>
      </Card>

      {results === null ? (
        <EmptyState icon={<UserRoundSearch className="size-8" />} title={t("lookup.idle")} hint={t("lookup.idleHint")} />
      ) : results.length === 0 ? (
        <EmptyState icon={<UserRoundSearch className="size-8" />} title={t("lookup.noResults")} hint={t("lookup.noResultsHint")} />
      ) : (
        <Card className="p-0 sm:p-0" data-testid="lookup-results">
          <div className="flex items-center justify-between border-b border-slate-100 px-4 py-3">
            <h2 className="text-sm font-semibold text-slate-900">{t("lookup.results")}</h2>
            <span className="text-xs text-slate-500">{t("lookup.resultsCount", { count: results.length })}</span>
          </div>
          {/* Table on wide screens, stacked rows on phones. */}
          <table className="hidden w-full text-sm md:table">
            <thead className="bg-slate-50 text-left text-xs font-medium text-slate-500">
              <tr>
                <th className="px-4 py-2">{t("lookup.col.name")}</th>
                <th className="px-4 py-2">{t("lookup.col.phone")}</th>
                <th className="px-4 py-2">{t("lookup.col.role")}</th>
                <th className="px-4 py-2">{t("lookup.col.matchedBy")}</th>
                <th className="px-4 py-2">{t("lookup.col.createdAt")}</th>
                <th className="px-4 py-2">{t("lookup.col.lastSignIn")}</th>
                <th className="px-4 py-2" />
              </tr>
            </thead>
            <tbody className="divide-y divide-slate-100">
              {results.map((r) => (
                <tr key={`${r.userId}:${r.matchedBy}`} className="hover:bg-slate-50" data-testid="lookup-row">
                  <td className="px-4 py-2.5 font-medium text-slate-900">{r.name ?? t("unnamed")}</td>
                  <td className="px-4 py-2.5 font-mono tabular-nums text-slate-700">{r.maskedPhone}</td>
                  <td className="px-4 py-2.5">
                    <Badge tone={r.role === "support" ? "amber" : "slate"}>{t(`role.${r.role as "subscriber" | "support"}`)}</Badge>
                  </td>
                  <td className="px-4 py-2.5 text-slate-600">
                    {t(`lookup.matchedBy.${r.matchedBy as "phone"}`)}
                    {r.detail ? <span className="ml-1 text-xs text-slate-400">· {r.detail}</span> : null}
                  </td>
                  <td className="px-4 py-2.5 text-slate-600 tabular-nums">{formatDateTime(r.createdAt, locale)}</td>
                  <td className="px-4 py-2.5 text-slate-600 tabular-nums">{formatDateTime(r.lastSignInAt, locale)}</td>
                  <td className="px-4 py-2.5 text-right">
                    <Button asChild size="sm" variant="secondary">
                      <Link prefetch={false} href={`/support/accounts/${r.userId}`}>
                        {t("lookup.open")}
                        <ChevronRight />
                      </Link>
                    </Button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          <ul className="divide-y divide-slate-100 md:hidden">
            {results.map((r) => (
              <li key={`${r.userId}:${r.matchedBy}`}>
                <Link
                  prefetch={false}
                  href={`/support/accounts/${r.userId}`}
                  className="flex items-center gap-3 px-4 py-3 active:bg-slate-50"
                  data-testid="lookup-row-mobile"
                >
                  <div className="flex size-10 items-center justify-center rounded-full bg-slate-100 font-medium text-slate-700">
                    {(r.name ?? "?").slice(0, 1)}
                  </div>
                  <div className="min-w-0 flex-1">
                    <p className="flex items-center gap-2 font-medium text-slate-900">
                      {r.name ?? t("unnamed")}
                      {r.role === "support" ? <Badge tone="amber">{t("role.support")}</Badge> : null}
                    </p>
                    <p className="font-mono text-sm tabular-nums text-slate-600">{r.maskedPhone}</p>
                    <p className="text-xs text-slate-400">{t(`lookup.matchedBy.${r.matchedBy as "phone"}`)}</p>
                  </div>
                  <ChevronRight className="size-4 text-slate-400" />
                </Link>
              </li>
            ))}
          </ul>
        </Card>
      )}
    </div>
  );
}
