"use client";
import { useMemo, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Check, Copy, KeyRound, Plus, TriangleAlert, X } from "lucide-react";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import { Alert } from "@/components/ui/card";
import { cn } from "@/lib/cn";
import { createKey } from "@/app/actions/keys";
import type { ModelOption } from "./types";
import { useFailureText } from "@/components/use-failure-text";

/** How the key's requests order a model's providers (lib/routing's sorts). */
const ROUTE_SORT_OPTIONS = ["price", "latency", "throughput", "balanced"] as const;

const CAP_PRESETS = [1_000_000n, 5_000_000n, 10_000_000n];
const EXPIRY_DAYS = [7, 30, 90, 365];

function Chip({ on, onClick, children, testId }: { on: boolean; onClick: () => void; children: React.ReactNode; testId?: string }) {
  return (
    <button
      type="button"
      data-testid={testId}
      aria-pressed={on}
      onClick={onClick}
      className={cn(
        "rounded-full px-3 py-1 text-xs ring-1 ring-inset transition-colors",
        on ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50",
      )}
    >
      {children}
    </button>
  );
}

export function CreateKeyDialog({ models, capLabels }: { models: ModelOption[]; capLabels: Record<string, string> }) {
  const t = useTranslations("keys");
  const ta = useTranslations("common.a11y");
  const router = useRouter();
  const errorText = useFailureText("keys");
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const [created, setCreated] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [name, setName] = useState("");
  const [restrict, setRestrict] = useState(false);
  const [picked, setPicked] = useState<string[]>([]);
  const [query, setQuery] = useState("");
  const [cap, setCap] = useState<string>(""); // "" = none, else plan tokens
  const [customCap, setCustomCap] = useState("");
  const [expiry, setExpiry] = useState<string>("");
  const [routeSort, setRouteSort] = useState<string>("");
  const factor = BigInt(t("capUnitFactor"));

  const matches = useMemo(() => {
    const q = query.trim().toLowerCase();
    if (!q) return models.slice(0, 8);
    return models.filter((m) => m.id.includes(q) || m.name.toLowerCase().includes(q)).slice(0, 8);
  }, [models, query]);

  function reset() {
    setName("");
    setRestrict(false);
    setPicked([]);
    setQuery("");
    setCap("");
    setCustomCap("");
    setExpiry("");
    setError(null);
    setCreated(null);
    setCopied(false);
  }

  function capTokens(): string | null {
    if (cap === "custom") {
      const n = customCap.trim();
      if (!/^\d+(\.\d+)?$/.test(n)) return null;
      const [i, f = ""] = n.split(".");
      const digits = f.padEnd(4, "0").slice(0, 4);
      const v = ((BigInt(i!) * 10_000n + BigInt(digits)) * factor) / 10_000n;
      return v > 0n ? v.toString() : null;
    }
    return cap || null;
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    const capValue = capTokens();
    if (cap === "custom" && !capValue) return setError(t("capCustom"));
    startTransition(async () => {
      const r = await createKey({
        name,
        models: restrict && picked.length > 0 ? picked : undefined,
        monthlyCapTokens: capValue,
        expiresInDays: expiry ? Number(expiry) : null,
        routeSort: routeSort ? (routeSort as (typeof ROUTE_SORT_OPTIONS)[number]) : null,
      });
      if (!r.ok) return setError(errorText(r));
      setCreated(r.text);
      router.refresh();
    });
  }

  async function copy() {
    if (!created) return;
    try {
      await navigator.clipboard.writeText(created);
    } catch {
      /* clipboard blocked: the key stays selectable */
    }
    setCopied(true);
  }

  return (
    <Dialog
      open={open}
      onOpenChange={(o) => {
        setOpen(o);
        if (!o) reset();
      }}
    >
      <DialogTrigger asChild>
        <Button data-testid="create-key">
          <Plus /> {t("create")}
        </Button>
      </DialogTrigger>
      <DialogContent title={created ? t("createdTitle") : t("createTitle")} description={created ? undefined : t("createHint")}>
        {created ? (
          <div className="space-y-4">
            <Alert tone="warn" className="flex gap-2">
              <TriangleAlert className="mt-0.5 size-4 shrink-0" />
              <span>{t("createdWarn")}</span>
            </Alert>
            <div className="flex items-center gap-2 rounded-xl bg-slate-900 p-3">
              <code data-testid="new-key" className="min-w-0 flex-1 break-all font-mono text-xs text-emerald-300 select-all">
                {created}
              </code>
              <Button size="sm" variant="secondary" onClick={copy} aria-label={t("copy")}>
                {copied ? <Check /> : <Copy />} {copied ? t("copied") : t("copy")}
              </Button>
            </div>
            <Button className="w-full" onClick={() => setOpen(false)}>
              {t("done")}
            </Button>
          </div>
        ) : (
          <form onSubmit={submit} className="space-y-5">
            <div className="space-y-2">
              <Label htmlFor="key-name">{t("name")}</Label>
              <Input id="key-name" value={name} maxLength={60} required placeholder={t("namePlaceholder")} onChange={(e) => setName(e.target.value)} />
            </div>

            <fieldset className="space-y-2">
              <legend className="mb-2 text-sm font-medium text-slate-700">{t("models")}</legend>
              <div className="flex gap-2">
                <Chip on={!restrict} onClick={() => setRestrict(false)}>
                  {t("modelsAll")}
                </Chip>
                <Chip on={restrict} onClick={() => setRestrict(true)} testId="restrict-models">
                  {t("modelsSome")}
                </Chip>
              </div>
              {restrict ? (
                <div className="space-y-2 rounded-xl bg-slate-50 p-3">
                  {picked.length > 0 ? (
                    <div className="flex flex-wrap gap-1.5">
                      {picked.map((id) => (
                        <span key={id} className="inline-flex items-center gap-1 rounded-full bg-brand-50 px-2 py-0.5 text-xs text-brand-700">
                          {id}
                          <button type="button" aria-label={ta("remove", { name: id })} onClick={() => setPicked(picked.filter((p) => p !== id))}>
                            <X className="size-3" />
                          </button>
                        </span>
                      ))}
                    </div>
                  ) : null}
                  <Input aria-label={t("modelsSearch")} placeholder={t("modelsSearch")} value={query} onChange={(e) => setQuery(e.target.value)} />
                  <ul className="max-h-40 divide-y divide-slate-100 overflow-y-auto rounded-lg bg-white ring-1 ring-slate-200">
                    {matches.length === 0 ? <li className="px-3 py-2 text-xs text-slate-500">{t("modelsNoMatch")}</li> : null}
                    {matches.map((m) => {
                      const on = picked.includes(m.id);
                      return (
                        <li key={m.id}>
                          <button
                            type="button"
                            onClick={() => setPicked(on ? picked.filter((p) => p !== m.id) : [...picked, m.id])}
                            className="flex w-full items-center justify-between gap-2 px-3 py-2 text-left text-sm hover:bg-slate-50"
                          >
                            <span className="min-w-0 truncate">
                              {m.name} <span className="text-xs text-slate-400">{m.id}</span>
                            </span>
                            {on ? <Check className="size-4 text-brand-600" /> : null}
                          </button>
                        </li>
                      );
                    })}
                  </ul>
                  <p className="text-xs text-slate-500">{t("modelsPicked", { count: picked.length })}</p>
                </div>
              ) : null}
            </fieldset>

            <fieldset className="space-y-2">
              <legend className="mb-2 text-sm font-medium text-slate-700">{t("cap")}</legend>
              <div className="flex flex-wrap gap-2">
                <Chip on={cap === ""} onClick={() => setCap("")}>
                  {t("capNone")}
                </Chip>
                {CAP_PRESETS.map((p) => (
                  <Chip key={p.toString()} on={cap === p.toString()} onClick={() => setCap(p.toString())}>
                    {capLabels[p.toString()]}
                  </Chip>
                ))}
                <Chip on={cap === "custom"} onClick={() => setCap("custom")} testId="cap-custom">
                  {t("capCustom")}
                </Chip>
              </div>
              {cap === "custom" ? (
                <Input
                  aria-label={t("capCustom")}
                  inputMode="decimal"
                  value={customCap}
                  onChange={(e) => setCustomCap(e.target.value.replace(/[^\d.]/g, ""))}
                />
              ) : null}
            </fieldset>

            <div className="space-y-2">
              <Label htmlFor="key-expiry">{t("expiry")}</Label>
              <Select id="key-expiry" className="w-full" value={expiry} onChange={(e) => setExpiry(e.target.value)}>
                <option value="">{t("expiryNever")}</option>
                {EXPIRY_DAYS.map((d) => (
                  <option key={d} value={String(d)}>
                    {d === 365 ? t("expiryYear") : t("expiryDays", { days: d })}
                  </option>
                ))}
              </Select>
            </div>

            <div className="space-y-2">
              <Label htmlFor="key-route-sort">{t("routeSort")}</Label>
              <Select id="key-route-sort" className="w-full" value={routeSort} onChange={(e) => setRouteSort(e.target.value)}>
                <option value="">{t("routeSortDefault")}</option>
                {ROUTE_SORT_OPTIONS.map((s) => (
                  <option key={s} value={s}>
                    {t(`routeSortOption.${s}`)}
                  </option>
                ))}
              </Select>
              <p className="text-xs text-slate-500">{t("routeSortHint")}</p>
            </div>

            {error ? <FieldError>{error}</FieldError> : null}
            <Button type="submit" className="w-full" disabled={pending || name.trim() === ""}>
              <KeyRound /> {pending ? t("creating") : t("submit")}
            </Button>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}
