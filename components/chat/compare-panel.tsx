"use client";
/**
 * Side by side (the supermarket's fitting room): one question to 2–3 models at once. Loaded only
 * when a user opens it (next/dynamic in chat-screen.tsx), so the plain chat's first load stays small.
 */
import { useEffect, useMemo, useRef, useState } from "react";
import { useQueries, useQuery, type QueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Check, Search, X } from "lucide-react";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/card";
import { listChatModels } from "@/app/actions/chat";
import { sendChatComparison } from "@/app/actions/compare";
import type { QuoteView } from "@/app/actions/quote";
import type { CompareEvent, DoneEvent } from "@/lib/chat/wire";
import { formatInt, type Locale } from "@/lib/core/format";
import { cn } from "@/lib/cn";
import { formatWeight } from "./format";
import { Markdown } from "./markdown";
import { RouteBadge } from "./model-picker";
import { fetchQuote, quoteQueryKey } from "./quote";
import type { ChatMessageView, ModelView } from "./types";

export const COMPARE_MAX = 3;
export const COMPARE_MIN = 2;

/** The sheet where 2–3 models are chosen. */
export function CompareSetup({
  open,
  onOpenChange,
  initial,
  onStart,
}: {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  initial: ModelView[];
  onStart: (models: ModelView[]) => void;
}) {
  const t = useTranslations("chatBranch.compare");
  const tc = useTranslations("chat");
  const [q, setQ] = useState("");
  const [chosen, setChosen] = useState<ModelView[]>(initial);
  const { data, isLoading } = useQuery({
    queryKey: ["chat-models"],
    queryFn: async () => {
      const r = await listChatModels(undefined);
      if (!r.ok) throw new Error(r.code);
      return r.models as ModelView[];
    },
    enabled: open,
    staleTime: 10 * 60_000,
  });
  const filtered = useMemo(() => {
    const all = data ?? [];
    const terms = q.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const hits = terms.length === 0 ? all : all.filter((m) => terms.every((x) => `${m.name} ${m.id} ${m.family ?? ""}`.toLowerCase().includes(x)));
    return hits.slice(0, 80);
  }, [data, q]);
  const toggle = (m: ModelView) => setChosen((c) => (c.some((x) => x.id === m.id) ? c.filter((x) => x.id !== m.id) : c.length >= COMPARE_MAX ? c : [...c, m]));

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogContent title={t("title")} description={t("hint")} className="sm:max-w-lg">
        <div className="flex min-h-8 flex-wrap gap-1.5" aria-live="polite" data-testid="compare-chosen">
          {chosen.map((m) => (
            <span
              key={m.id}
              className="inline-flex items-center gap-1 rounded-full bg-brand-50 py-1 pl-2.5 pr-1 text-xs font-medium text-brand-700 ring-1 ring-brand-100"
            >
              {m.name}
              <button type="button" onClick={() => toggle(m)} aria-label={t("remove", { model: m.name })} className="rounded-full p-0.5 hover:bg-brand-100">
                <X className="size-3" />
              </button>
            </span>
          ))}
          {chosen.length === 0 ? <span className="py-1 text-xs text-slate-400">{t("none")}</span> : null}
        </div>
        <div className="relative mt-3">
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-slate-400" />
          <Input value={q} onChange={(e) => setQ(e.target.value)} placeholder={tc("searchModels")} className="pl-9" aria-label={tc("searchModels")} />
        </div>
        <ul className="-mx-2 mt-3 max-h-[42dvh] overflow-y-auto" aria-label={t("title")}>
          {isLoading
            ? Array.from({ length: 5 }, (_, i) => (
                <li key={i} className="px-2 py-2">
                  <Skeleton className="h-10 w-full" />
                </li>
              ))
            : null}
          {!isLoading && filtered.length === 0 ? <li className="px-3 py-8 text-center text-sm text-slate-500">{tc("noModels")}</li> : null}
          {filtered.map((m) => {
            const on = chosen.some((x) => x.id === m.id);
            const full = !on && chosen.length >= COMPARE_MAX;
            return (
              <li key={m.id}>
                <button
                  type="button"
                  role="checkbox"
                  aria-checked={on}
                  disabled={full}
                  data-testid={`compare-option-${m.id}`}
                  onClick={() => toggle(m)}
                  className={cn(
                    "flex w-full items-center gap-3 rounded-xl px-3 py-2.5 text-left hover:bg-slate-50 disabled:opacity-40",
                    on && "bg-brand-50 hover:bg-brand-50",
                  )}
                >
                  <span
                    className={cn(
                      "flex size-5 shrink-0 items-center justify-center rounded-md ring-1",
                      on ? "bg-brand-600 text-white ring-brand-600" : "bg-white ring-slate-300",
                    )}
                    aria-hidden
                  >
                    {on ? <Check className="size-3.5" /> : null}
                  </span>
                  <span className="min-w-0 flex-1">
                    <span className="flex items-center gap-1.5">
                      <span className="truncate text-sm font-medium text-slate-900">{m.name}</span>
                      <RouteBadge route={m.route} />
                    </span>
                    <span className="mt-0.5 block truncate text-xs tabular text-slate-500">
                      {tc("weights", { in: formatWeight(m.inMicro), out: formatWeight(m.outMicro) })}
                    </span>
                  </span>
                </button>
              </li>
            );
          })}
        </ul>
        <div className="mt-4 flex items-center justify-between gap-3">
          <p className="text-xs text-slate-500">{t("count", { n: chosen.length, max: COMPARE_MAX })}</p>
          <button
            type="button"
            disabled={chosen.length < COMPARE_MIN}
            onClick={() => {
              onStart(chosen);
              onOpenChange(false);
            }}
            className="rounded-full bg-brand-600 px-4 py-2 text-sm font-medium text-white hover:bg-brand-700 disabled:bg-slate-200 disabled:text-slate-400"
          >
            {t("start")}
          </button>
        </div>
      </DialogContent>
    </Dialog>
  );
}

/** In the composer while comparing: which models, a way to change them and to leave. */
export function CompareBar({ models, onEdit, onExit, disabled }: { models: ModelView[]; onEdit: () => void; onExit: () => void; disabled?: boolean }) {
  const t = useTranslations("chatBranch.compare");
  return (
    <span className="inline-flex min-w-0 items-center gap-1">
      <button
        type="button"
        onClick={onEdit}
        disabled={disabled}
        data-testid="compare-models"
        className="inline-flex min-w-0 items-center gap-1.5 rounded-full bg-brand-50 py-1 pl-2.5 pr-2.5 text-xs font-medium text-brand-700 ring-1 ring-brand-100 hover:bg-brand-100 disabled:opacity-50"
      >
        <span className="shrink-0">{t("badge", { n: models.length })}</span>
        <span className="truncate text-brand-600/80">{models.map((m) => m.name).join(" · ")}</span>
      </button>
      <button
        type="button"
        onClick={onExit}
        disabled={disabled}
        aria-label={t("exit")}
        className="rounded-full p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-700 disabled:opacity-50"
      >
        <X className="size-4" />
      </button>
    </span>
  );
}

type QuoteInput = { text: string; conversationId: string | null; parentId?: string | null; assistant?: string };

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const id = setTimeout(() => setV(value), ms);
    return () => clearTimeout(id);
  }, [value, ms]);
  return v;
}

/** The quote of a comparison: each model's hold and their sum, which is what the send may hold at most. */
export function CompareQuote({ text, models, conversationId, parentId, assistant }: QuoteInput & { models: ModelView[] }) {
  const t = useTranslations("chatBranch.compare");
  const ts = useTranslations("spend.quote");
  const locale = useLocale() as Locale;
  const debounced = useDebounced(text.trim(), 250);
  const results = useQueries({
    queries: models.map((m) => {
      const input = { text: debounced, modelId: m.id, conversationId, parentId, assistant };
      return { queryKey: quoteQueryKey(input), queryFn: () => fetchQuote(input), enabled: debounced.length > 0, retry: false, staleTime: 30_000 };
    }),
  });
  const quotes = results.map((r) => r.data);
  const ready = debounced.length > 0 && text.trim().length > 0 && quotes.every((q): q is QuoteView => !!q);
  const total = ready ? quotes.reduce((a, q) => a + BigInt(q!.hold), 0n) : null;
  return (
    <div className="min-h-5 px-3 pt-0.5 text-xs text-slate-500" data-testid="compare-quote" data-hold={total?.toString() ?? ""} aria-live="polite">
      {ready && total !== null ? (
        <>
          <p className="tabular">{t("quoteTotal", { n: models.length, max: formatInt(total, locale) })}</p>
          <p className="tabular truncate text-slate-400" data-testid="compare-quote-models">
            {models.map((m, i) => `${m.name} ${formatInt(BigInt(quotes[i]!.hold), locale)}`).join(" · ")}
          </p>
        </>
      ) : results.some((r) => r.isError) && text.trim() ? (
        <p>{ts("unavailable")}</p>
      ) : null}
    </div>
  );
}

/**
 * The 单条确认 check for a comparison: its cost is the sum of its holds. Resolves to the total to
 * send as confirmed, undefined when no confirmation applies, or false when the user declined.
 */
export async function confirmComparison(
  queryClient: QueryClient,
  confirmHold: (p: { hold: string; expected: string | null; threshold: string | null }) => Promise<string | false>,
  input: QuoteInput & { models: ModelView[] },
): Promise<string | undefined | false> {
  let quotes: (QuoteView | null)[];
  try {
    quotes = await Promise.all(
      input.models.map((m) => {
        const q = { text: input.text, modelId: m.id, conversationId: input.conversationId, parentId: input.parentId, assistant: input.assistant };
        return queryClient.fetchQuery({ queryKey: quoteQueryKey(q), queryFn: () => fetchQuote(q), staleTime: 0 });
      }),
    );
  } catch {
    return undefined;
  }
  if (quotes.some((q) => !q)) return undefined;
  const above = quotes[0]!.confirmAbove;
  const total = quotes.reduce((a, q) => a + BigInt(q!.hold), 0n);
  if (above === null || total <= BigInt(above)) return undefined;
  const expected = quotes.reduce((a, q) => a + BigInt(q!.expected), 0n);
  return confirmHold({ hold: total.toString(), expected: expected.toString(), threshold: above });
}

export type CompareRequest = {
  requestId: string;
  content: string;
  models: ModelView[];
  conversationId?: string;
  newConversationId?: string;
  parentId?: string | null;
  assistant?: string;
  confirmedUpTo?: string;
};

type Column = {
  model: ModelView;
  text: string;
  state: "waiting" | "streaming" | "done" | "refused";
  code: string | null;
  done: DoneEvent | null;
};

export type CompareHandlers = {
  /** The question is stored (its id; for a new conversation, the conversation too). */
  onQuestion: (ev: Extract<CompareEvent, { type: "question" }>) => void;
  /** Every column was refused before anything ran: nothing stored, nothing charged. */
  onRefused: (code: string, details: Record<string, unknown> | undefined) => void;
  /** Every column ended; `balance` is the newest one reported. */
  onSettled: (balance: DoneEvent["balance"]) => void;
  /** The chosen answer continues the conversation; the others stay as its siblings. */
  onPick: (replies: ChatMessageView[], chosen: ChatMessageView, model: ModelView) => void;
};

/** The comparison's columns: side by side on a wide screen, swiped through on a phone. */
export function CompareColumns({ request, handlers }: { request: CompareRequest; handlers: CompareHandlers }) {
  const t = useTranslations("chatBranch.compare");
  const te = useTranslations("chat.errors");
  const tc = useTranslations("chat");
  const locale = useLocale() as Locale;
  const [columns, setColumns] = useState<Column[]>(() => request.models.map((model) => ({ model, text: "", state: "waiting", code: null, done: null })));
  const [questionId, setQuestionId] = useState<string | null>(null);
  const [active, setActive] = useState(0);
  const scroller = useRef<HTMLDivElement>(null);
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });

  useEffect(() => {
    let cancelled = false;
    const texts = request.models.map(() => "");
    let frame = 0;
    // Streamed text reaches the screen at most once per frame.
    const flush = () => {
      frame = 0;
      if (!cancelled) setColumns((cs) => cs.map((c, i) => (c.state === "streaming" && c.text !== texts[i] ? { ...c, text: texts[i]! } : c)));
    };
    void (async () => {
      let res: Awaited<ReturnType<typeof sendChatComparison>>;
      try {
        res = await sendChatComparison({
          conversationId: request.conversationId,
          newConversationId: request.newConversationId,
          parentId: request.parentId,
          content: request.content,
          modelIds: request.models.map((m) => m.id),
          assistant: request.assistant,
          requestId: request.requestId,
          confirmedUpTo: request.confirmedUpTo,
        });
      } catch {
        res = { ok: false, code: "internal" };
      }
      if (!res.ok) return latest.current.onRefused(res.code, res.details);
      let balance: DoneEvent["balance"] = null;
      const reader = res.stream.getReader();
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          const ev = value as CompareEvent;
          if (ev.type === "question") {
            setQuestionId(ev.userMessageId);
            latest.current.onQuestion(ev);
          } else if (ev.type === "refused") {
            setColumns((cs) => cs.map((c, i) => (i === ev.column ? { ...c, state: "refused", code: ev.code } : c)));
          } else if (ev.event.type === "start") {
            setColumns((cs) => cs.map((c, i) => (i === ev.column ? { ...c, state: "streaming" } : c)));
          } else if (ev.event.type === "text") {
            texts[ev.column] += ev.event.text;
            frame ||= requestAnimationFrame(flush);
          } else if (ev.event.type === "done") {
            const d = ev.event;
            if (d.balance) balance = d.balance;
            setColumns((cs) => cs.map((c, i) => (i === ev.column ? { ...c, state: "done", text: d.content, done: d } : c)));
          }
        }
      } catch {
        // The connection broke: each column settled what it delivered on the server.
      }
      cancelAnimationFrame(frame);
      setColumns((cs) =>
        cs.map((c) =>
          c.state === "streaming" || c.state === "waiting" ? { ...c, state: "refused", code: c.state === "waiting" ? "internal" : "connection" } : c,
        ),
      );
      latest.current.onSettled(balance);
    })();
    return () => {
      cancelled = true;
      cancelAnimationFrame(frame);
    };
    // One comparison per request id.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [request.requestId]);

  const settled = columns.every((c) => c.state === "done" || c.state === "refused");
  const replies: ChatMessageView[] = columns
    .filter((c) => c.done?.messageId)
    .map((c) => ({
      id: c.done!.messageId,
      role: "assistant",
      parentId: questionId,
      content: c.done!.content,
      modelId: c.done!.modelId,
      status: c.done!.status,
      errorCode: c.done!.errorCode,
      planTokens: c.done!.planTokens,
    }));

  const goTo = (i: number) => {
    const el = scroller.current?.children[i] as HTMLElement | undefined;
    el?.scrollIntoView({ behavior: "smooth", block: "nearest", inline: "center" });
  };

  return (
    <section className="mx-auto w-full max-w-6xl pb-4" aria-label={t("region")} data-testid="compare">
      {/* On a phone: tabs for the columns, which are swiped one at a time. */}
      <div className="flex gap-1.5 overflow-x-auto px-4 pb-2 lg:hidden" role="tablist" aria-label={t("region")}>
        {columns.map((c, i) => (
          <button
            key={c.model.id}
            type="button"
            role="tab"
            aria-selected={active === i}
            onClick={() => goTo(i)}
            className={cn(
              "shrink-0 rounded-full px-3 py-1 text-xs font-medium ring-1",
              active === i ? "bg-slate-900 text-white ring-slate-900" : "bg-white text-slate-600 ring-slate-200",
            )}
          >
            {c.model.name}
          </button>
        ))}
      </div>
      <div
        ref={scroller}
        onScroll={(e) => {
          const el = e.currentTarget;
          const w = el.firstElementChild?.clientWidth ?? el.clientWidth;
          setActive(Math.min(columns.length - 1, Math.max(0, Math.round(el.scrollLeft / (w + 12)))));
        }}
        className={cn(
          "flex snap-x snap-mandatory gap-3 overflow-x-auto scroll-px-4 px-4 pb-1 [scrollbar-width:none]",
          "lg:grid lg:snap-none lg:overflow-visible",
          columns.length === 3 ? "lg:grid-cols-3" : "lg:grid-cols-2",
        )}
      >
        {columns.map((c) => {
          const charged = c.done ? BigInt(c.done.planTokens) : null;
          const usable = c.state === "done" && !!c.done?.messageId && c.done.status !== "error" && !!c.done.content;
          return (
            <article
              key={c.model.id}
              className="flex w-[86%] shrink-0 snap-center flex-col rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200 lg:w-auto"
              aria-label={c.model.name}
              data-testid="compare-column"
              data-model={c.model.id}
              data-state={c.state}
              data-cost={charged?.toString() ?? ""}
            >
              <header className="mb-2 flex items-center gap-2">
                <span
                  className="flex size-7 shrink-0 items-center justify-center rounded-full bg-gradient-to-br from-brand-500 to-brand-700 text-[11px] font-semibold text-white"
                  aria-hidden
                >
                  {c.model.name.slice(0, 1).toUpperCase()}
                </span>
                <span className="min-w-0 flex-1 truncate text-sm font-medium text-slate-800">{c.model.name}</span>
                {c.model.route === "demo" ? <RouteBadge route="demo" /> : null}
              </header>
              <div className="min-h-24 flex-1 text-[15px]">
                {c.state === "refused" ? (
                  <p
                    role="alert"
                    className="rounded-xl bg-amber-50 px-3 py-2 text-sm text-amber-900 ring-1 ring-amber-200"
                    data-testid="compare-refused"
                    data-code={c.code ?? ""}
                  >
                    {c.code && KNOWN.has(c.code) ? te(c.code) : te("internal")}
                  </p>
                ) : c.text ? (
                  <Markdown text={c.text} streaming={c.state === "streaming"} />
                ) : (
                  <span className="inline-flex items-center gap-1 py-2" aria-label={tc("thinking")}>
                    {[0, 150, 300].map((d) => (
                      <span key={d} className="size-1.5 animate-bounce rounded-full bg-slate-400" style={{ animationDelay: `${d}ms` }} />
                    ))}
                  </span>
                )}
              </div>
              <footer className="mt-3 flex items-center justify-between gap-2 border-t border-slate-100 pt-3">
                <span className="text-xs tabular text-slate-500" data-testid="compare-cost">
                  {charged === null
                    ? c.state === "refused"
                      ? t("notCharged")
                      : ""
                    : charged > 0n
                      ? t("cost", { tokens: formatInt(charged, locale) })
                      : t("notCharged")}
                </span>
                <button
                  type="button"
                  disabled={!settled || !usable}
                  onClick={() => {
                    const chosen = replies.find((r) => r.id === c.done!.messageId)!;
                    latest.current.onPick(replies, chosen, c.model);
                  }}
                  className="rounded-full bg-brand-600 px-3 py-1.5 text-xs font-medium text-white hover:bg-brand-700 disabled:bg-slate-100 disabled:text-slate-400"
                >
                  {t("pick")}
                </button>
              </footer>
            </article>
          );
        })}
      </div>
      {settled ? <p className="mt-2 px-4 text-center text-xs text-slate-500">{t("pickHint")}</p> : null}
    </section>
  );
}

const KNOWN = new Set([
  "insufficient_balance",
  "cap_reached",
  "quiet_hours",
  "daily_cap_reached",
  "economy_only",
  "member_paused",
  "not_member",
  "model_unavailable",
  "unknown_model",
  "context_too_long",
  "duplicate_request",
]);
