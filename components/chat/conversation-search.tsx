"use client";
import Link from "next/link";
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { Search, X } from "lucide-react";
import { searchMyConversations } from "@/app/actions/chat-library";
import { cn } from "@/lib/cn";

type Part = { text: string; hit: boolean };
export type SearchHitView = {
  conversationId: string;
  title: string;
  titleParts: Part[];
  snippet: Part[] | null;
  role: "user" | "assistant" | null;
  updatedAt: string;
};

const DEBOUNCE_MS = 250;

function Marked({ parts }: { parts: Part[] }) {
  return (
    <>
      {parts.map((p, i) =>
        p.hit ? (
          <mark key={i} className="rounded-sm bg-amber-200/80 px-0.5 text-slate-900">
            {p.text}
          </mark>
        ) : (
          <span key={i}>{p.text}</span>
        ),
      )}
    </>
  );
}

/** The search field: results replace whatever `children` shows while a query is typed. */
export function ConversationSearch({ children, onNavigate, autoFocus }: { children?: React.ReactNode; onNavigate?: () => void; autoFocus?: boolean }) {
  const t = useTranslations("chatTools.search");
  const [query, setQuery] = useState("");
  // The answer to the newest query sent; older answers never overwrite a newer one.
  const [result, setResult] = useState<{ query: string; hits: SearchHitView[]; failed: boolean } | null>(null);
  const latest = useRef(0);
  const q = query.trim();
  const loading = !!q && result?.query !== q;
  const hits = result && q ? result.hits : null;
  const failed = !!result?.failed;

  useEffect(() => {
    if (!q) return;
    const ticket = ++latest.current;
    const timer = setTimeout(async () => {
      let r: Awaited<ReturnType<typeof searchMyConversations>>;
      try {
        r = await searchMyConversations({ query: q });
      } catch {
        r = { ok: false, code: "internal" };
      }
      if (ticket !== latest.current) return;
      setResult({ query: q, hits: r.ok ? r.hits : [], failed: !r.ok });
    }, DEBOUNCE_MS);
    return () => clearTimeout(timer);
  }, [q]);

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="px-3 pb-2">
        <label className="relative block">
          <span className="sr-only">{t("label")}</span>
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-slate-400" aria-hidden />
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            placeholder={t("placeholder")}
            maxLength={100}
            autoFocus={autoFocus}
            enterKeyHint="search"
            data-testid="conversation-search"
            className="h-10 w-full rounded-xl bg-slate-100 pl-9 pr-9 text-base text-slate-900 placeholder:text-slate-400 focus:bg-white focus:outline-none focus:ring-2 focus:ring-brand-300 sm:text-sm [&::-webkit-search-cancel-button]:hidden"
          />
          {query ? (
            <button
              type="button"
              onClick={() => setQuery("")}
              aria-label={t("clear")}
              className="absolute right-1.5 top-1/2 -translate-y-1/2 rounded-lg p-1.5 text-slate-400 hover:bg-slate-200 hover:text-slate-600"
            >
              <X className="size-4" />
            </button>
          ) : null}
        </label>
      </div>
      {q ? (
        <div className="min-h-0 flex-1 overflow-y-auto px-2 pb-3" aria-busy={loading}>
          <p className="px-2 pb-1 text-xs font-medium text-slate-400" role="status" aria-live="polite">
            {hits === null ? t("searching") : failed ? t("failed") : hits.length === 0 ? t("none", { query: q }) : t("count", { count: hits.length })}
          </p>
          <ul data-testid="search-results">
            {(hits ?? []).map((h) => (
              <li key={h.conversationId}>
                <Link
                  prefetch={false}
                  href={`/chat/${h.conversationId}`}
                  onClick={onNavigate}
                  className={cn("block rounded-xl px-3 py-2.5 hover:bg-slate-100", loading && "opacity-70")}
                  data-testid="search-hit"
                >
                  <p className="truncate text-sm font-medium text-slate-800">{h.title ? <Marked parts={h.titleParts} /> : t("untitled")}</p>
                  {h.snippet ? (
                    <p className="mt-0.5 line-clamp-2 text-xs leading-5 text-slate-500">
                      <span className="text-slate-400">{h.role === "user" ? t("you") : t("reply")}：</span>
                      <Marked parts={h.snippet} />
                    </p>
                  ) : null}
                </Link>
              </li>
            ))}
          </ul>
        </div>
      ) : (
        children
      )}
    </div>
  );
}
