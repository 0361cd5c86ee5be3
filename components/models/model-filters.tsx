"use client";
import { useRef, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useCurrentPath } from "@/components/use-current-path";
import { useTranslations } from "next-intl";
import { Loader2, Search, SlidersHorizontal } from "lucide-react";
import { cn } from "@/lib/cn";

type Query = {
  q: string;
  providers: string[];
  caps: string[];
  ctx?: string;
  price?: string;
  sort: string;
};

const CAPS = ["reasoning", "tools", "vision"] as const;
const CTX = ["32k", "128k", "200k", "1m"] as const;
const PRICES = ["budget", "standard", "premium", "flagship"] as const;
const SORTS = ["recommended", "price", "price-desc", "newest", "context"] as const;

function toSearch(q: Query): string {
  const p = new URLSearchParams();
  if (q.q) p.set("q", q.q);
  if (q.providers.length) p.set("provider", q.providers.join(","));
  if (q.caps.length) p.set("cap", q.caps.join(","));
  if (q.ctx) p.set("ctx", q.ctx);
  if (q.price) p.set("price", q.price);
  if (q.sort && q.sort !== "recommended") p.set("sort", q.sort);
  const s = p.toString();
  return s ? `?${s}` : "";
}

const selectCls =
  "h-10 min-w-0 rounded-xl border border-slate-200 bg-white px-2.5 text-sm text-slate-800 focus-visible:border-brand-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500/30";

/**
 * Search, filters and sort for /models. The URL is the state: every change replaces the
 * query string (page reset to 1) and the server renders the results. Works as a plain GET
 * form without JavaScript.
 */
export function ModelFilters({ initial, providers }: { initial: Query; providers: { id: string; name: string; count: number }[] }) {
  const t = useTranslations("models");
  const router = useRouter();
  const pathname = useCurrentPath();
  const [pending, startTransition] = useTransition();
  const [text, setText] = useState(initial.q);
  const [open, setOpen] = useState(Boolean(initial.providers.length || initial.ctx || initial.price));
  const timer = useRef<ReturnType<typeof setTimeout> | null>(null);
  // Follow the URL when it changes from outside (back button, "clear filters").
  const [urlQ, setUrlQ] = useState(initial.q);
  if (urlQ !== initial.q) {
    setUrlQ(initial.q);
    setText(initial.q);
  }

  const go = (next: Partial<Query>) => {
    const q = { ...initial, ...next };
    startTransition(() => router.replace(`${pathname}${toSearch(q)}`, { scroll: false }));
  };

  const onText = (v: string) => {
    setText(v);
    if (timer.current) clearTimeout(timer.current);
    timer.current = setTimeout(() => go({ q: v.trim() }), 250);
  };

  const toggleCap = (c: string) => go({ caps: initial.caps.includes(c) ? initial.caps.filter((x) => x !== c) : [...initial.caps, c] });

  return (
    <form
      action={pathname}
      method="get"
      role="search"
      className="space-y-2"
      onSubmit={(e) => {
        e.preventDefault();
        go({ q: text.trim() });
      }}
    >
      <div className="flex gap-2">
        <label className="relative min-w-0 flex-1">
          <span className="sr-only">{t("searchLabel")}</span>
          {pending ? (
            <Loader2 className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 animate-spin text-brand-500" aria-hidden />
          ) : (
            <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-slate-400" aria-hidden />
          )}
          <input
            type="search"
            name="q"
            value={text}
            onChange={(e) => onText(e.target.value)}
            placeholder={t("searchPlaceholder")}
            className="h-11 w-full rounded-xl border border-slate-200 bg-white pl-9 pr-3 text-base text-slate-900 placeholder:text-slate-400 focus-visible:border-brand-500 focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500/30 sm:text-sm"
            data-testid="model-search"
            autoComplete="off"
            enterKeyHint="search"
          />
        </label>
        <button
          type="button"
          onClick={() => setOpen((o) => !o)}
          aria-expanded={open}
          aria-controls="model-filter-panel"
          className={cn(
            "inline-flex h-11 shrink-0 items-center gap-1.5 rounded-xl px-3 text-sm font-medium ring-1 ring-inset",
            open ? "bg-brand-50 text-brand-700 ring-brand-200" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50",
          )}
          data-testid="toggle-filters"
        >
          <SlidersHorizontal className="size-4" />
          <span>{t("filters")}</span>
        </button>
      </div>

      <div className="-mx-4 flex gap-2 overflow-x-auto px-4 pb-1 [scrollbar-width:none]">
        {CAPS.map((c) => {
          const on = initial.caps.includes(c);
          return (
            <button
              key={c}
              type="button"
              onClick={() => toggleCap(c)}
              aria-pressed={on}
              className={cn(
                "h-8 shrink-0 rounded-full px-3 text-sm ring-1 ring-inset",
                on ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50",
              )}
              data-testid={`cap-${c}`}
            >
              {t(`cap.${c}`)}
            </button>
          );
        })}
        <label className="ml-auto shrink-0">
          <span className="sr-only">{t("sort.label")}</span>
          <select
            name="sort"
            value={initial.sort}
            onChange={(e) => go({ sort: e.target.value })}
            className={cn(selectCls, "h-8 py-0")}
            data-testid="model-sort"
          >
            {SORTS.map((s) => (
              <option key={s} value={s}>
                {t(`sort.${s}`)}
              </option>
            ))}
          </select>
        </label>
      </div>

      <div id="model-filter-panel" hidden={!open} className="grid grid-cols-1 gap-2 rounded-2xl bg-white p-3 ring-1 ring-slate-200/70 sm:grid-cols-3">
        <label className="flex flex-col gap-1 text-xs text-slate-500">
          {t("provider.label")}
          <select
            name="provider"
            value={initial.providers[0] ?? ""}
            onChange={(e) => go({ providers: e.target.value ? [e.target.value] : [] })}
            className={selectCls}
            data-testid="filter-provider"
          >
            <option value="">{t("provider.all")}</option>
            {providers.map((p) => (
              <option key={p.id} value={p.id}>
                {p.name} ({p.count})
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs text-slate-500">
          {t("ctx.label")}
          <select
            name="ctx"
            value={initial.ctx ?? ""}
            onChange={(e) => go({ ctx: e.target.value || undefined })}
            className={selectCls}
            data-testid="filter-ctx"
          >
            <option value="">{t("ctx.all")}</option>
            {CTX.map((c) => (
              <option key={c} value={c}>
                {t(`ctx.${c}`)}
              </option>
            ))}
          </select>
        </label>
        <label className="flex flex-col gap-1 text-xs text-slate-500">
          {t("price.label")}
          <select
            name="price"
            value={initial.price ?? ""}
            onChange={(e) => go({ price: e.target.value || undefined })}
            className={selectCls}
            data-testid="filter-price"
          >
            <option value="">{t("price.all")}</option>
            {PRICES.map((p) => (
              <option key={p} value={p}>
                {t(`price.${p}`)}
              </option>
            ))}
          </select>
        </label>
        <noscript>
          <button type="submit" className="h-10 rounded-xl bg-brand-600 px-4 text-sm text-white">
            {t("filters")}
          </button>
        </noscript>
      </div>
    </form>
  );
}
