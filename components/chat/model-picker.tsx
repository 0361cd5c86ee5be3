"use client";
import { useMemo, useState, type ReactNode } from "react";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Check, ChevronDown, Eye, Search, Sparkles } from "lucide-react";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { Skeleton } from "@/components/ui/card";
import { listChatModels } from "@/app/actions/chat";
import { cn } from "@/lib/cn";
import { formatWeight } from "./format";
import type { ModelView } from "./types";

export function RouteBadge({ route }: { route: "live" | "demo" }) {
  const t = useTranslations("chat");
  return (
    <span
      className={cn(
        "inline-flex shrink-0 items-center rounded-full px-1.5 py-px text-[10px] font-medium leading-4",
        route === "live" ? "bg-emerald-50 text-emerald-700 ring-1 ring-emerald-100" : "bg-amber-50 text-amber-700 ring-1 ring-amber-100",
      )}
    >
      {route === "live" ? t("live") : t("demo")}
    </span>
  );
}

/** Marks a model that reads images (attachments may include images only for these). */
export function VisionBadge() {
  const t = useTranslations("attachments");
  return (
    <span
      title={t("visionHint")}
      data-testid="vision-badge"
      className="inline-flex shrink-0 items-center gap-0.5 rounded-full bg-sky-50 px-1.5 py-px text-[10px] font-medium leading-4 text-sky-700 ring-1 ring-sky-100"
    >
      <Eye className="size-3" aria-hidden />
      {t("visionBadge")}
    </span>
  );
}

/** The composer's model button (or another `trigger`) and its searchable sheet of the catalog. */
export function ModelPicker({
  value,
  onChange,
  disabled,
  trigger,
}: {
  value: Pick<ModelView, "id" | "name" | "route">;
  onChange: (m: ModelView) => void;
  disabled?: boolean;
  trigger?: ReactNode;
}) {
  const t = useTranslations("chat");
  const [open, setOpen] = useState(false);
  const [q, setQ] = useState("");
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

  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        {trigger ?? (
          <button
            type="button"
            disabled={disabled}
            data-testid="model-picker"
            className="inline-flex max-w-[14rem] items-center gap-1.5 rounded-full bg-slate-100 py-1 pl-2.5 pr-2 text-xs font-medium text-slate-700 hover:bg-slate-200 disabled:opacity-50"
          >
            <Sparkles className="size-3.5 text-brand-600" />
            <span className="truncate" data-testid="model-name">
              {value.name}
            </span>
            {value.route === "demo" ? <RouteBadge route="demo" /> : null}
            <ChevronDown className="size-3.5 text-slate-400" />
          </button>
        )}
      </DialogTrigger>
      <DialogContent title={t("pickModel")} description={t("weightsHint")} className="sm:max-w-lg">
        <div className="relative">
          <Search className="pointer-events-none absolute left-3 top-1/2 size-4 -translate-y-1/2 text-slate-400" />
          <Input autoFocus value={q} onChange={(e) => setQ(e.target.value)} placeholder={t("searchModels")} className="pl-9" aria-label={t("searchModels")} />
        </div>
        <ul className="-mx-2 mt-3 max-h-[55dvh] overflow-y-auto" role="listbox" aria-label={t("pickModel")}>
          {isLoading
            ? Array.from({ length: 6 }, (_, i) => (
                <li key={i} className="px-2 py-2">
                  <Skeleton className="h-10 w-full" />
                </li>
              ))
            : null}
          {!isLoading && filtered.length === 0 ? <li className="px-3 py-8 text-center text-sm text-slate-500">{t("noModels")}</li> : null}
          {filtered.map((m) => (
            <li key={m.id}>
              <button
                type="button"
                role="option"
                aria-selected={m.id === value.id}
                data-testid={`model-option-${m.id}`}
                onClick={() => {
                  onChange(m);
                  setOpen(false);
                  setQ("");
                }}
                className={cn(
                  "flex w-full items-center gap-3 rounded-xl px-3 py-2.5 text-left hover:bg-slate-50",
                  m.id === value.id && "bg-brand-50 hover:bg-brand-50",
                )}
              >
                <span className="flex size-9 shrink-0 items-center justify-center rounded-xl bg-gradient-to-br from-brand-100 to-brand-50 text-sm font-semibold text-brand-700">
                  {m.name.slice(0, 1).toUpperCase()}
                </span>
                <span className="min-w-0 flex-1">
                  <span className="flex items-center gap-1.5">
                    <span className="truncate text-sm font-medium text-slate-900">{m.name}</span>
                    <RouteBadge route={m.route} />
                    {m.vision ? <VisionBadge /> : null}
                    {m.recommended ? <span className="text-[10px] font-medium text-brand-600">{t("recommended")}</span> : null}
                  </span>
                  <span className="mt-0.5 block truncate text-xs text-slate-500">
                    <span className="tabular">{t("weights", { in: formatWeight(m.inMicro), out: formatWeight(m.outMicro) })}</span>
                    {m.context > 0 ? <span> · {t("context", { k: Math.round(m.context / 1000) })}</span> : null}
                  </span>
                </span>
                {m.id === value.id ? <Check className="size-4 shrink-0 text-brand-600" /> : null}
              </button>
            </li>
          ))}
        </ul>
      </DialogContent>
    </Dialog>
  );
}
