"use client";
import Link from "next/link";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { MessageSquarePlus, Pencil, Plus, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { FieldError, Input, Label, Textarea } from "@/components/ui/input";
import { createMyAssistant, deleteMyAssistant, updateMyAssistant } from "@/app/actions/assistants";
import { useFailureText } from "@/components/use-failure-text";
import { ModelPicker } from "./model-picker";
import { AssistantIcon } from "./assistant-icon";
import type { ModelView } from "./types";

export type MyAssistant = {
  ref: string;
  name: string;
  icon: string;
  description: string;
  systemPrompt: string;
  modelId: string;
  temperatureTenths: number;
  maxOutputTokens: number;
  openingLine: string;
};

type Draft = Omit<MyAssistant, "ref"> & { ref: string | null };

const blank = (modelId: string): Draft => ({
  ref: null,
  name: "",
  icon: "",
  description: "",
  systemPrompt: "",
  modelId,
  temperatureTenths: 7,
  maxOutputTokens: 2048,
  openingLine: "",
});

/** The user's own assistants: start a chat, create, edit, delete (owner only, checked on the server). */
export function MyAssistants({ initial, models, defaultModel }: { initial: MyAssistant[]; models: Record<string, ModelView>; defaultModel: string }) {
  const t = useTranslations("chatTools.assistants");
  const errorText = useFailureText("chatTools.assistants");
  const [items, setItems] = useState(initial);
  const [known, setKnown] = useState(models);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [model, setModel] = useState<ModelView | null>(null);
  const [deleting, setDeleting] = useState<MyAssistant | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();

  function open(d: Draft) {
    setDraft(d);
    setModel(known[d.modelId] ?? known[defaultModel] ?? null);
    setError(null);
  }

  function save(e: React.FormEvent) {
    e.preventDefault();
    if (!draft) return;
    setError(null);
    start(async () => {
      const { ref, ...fields } = draft;
      const input = { ...fields, modelId: model?.id ?? draft.modelId };
      const r = await (ref ? updateMyAssistant({ ...input, id: ref }) : createMyAssistant(input)).catch(() => ({ ok: false as const, code: "internal" }));
      if (!r.ok) return setError(errorText(r));
      const saved: MyAssistant = { ...input, ref: r.assistant.ref };
      if (model) setKnown((k) => ({ ...k, [model.id]: model }));
      setItems((xs) => (ref ? xs.map((x) => (x.ref === ref ? saved : x)) : [saved, ...xs]));
      setDraft(null);
    });
  }

  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setDraft((d) => (d ? { ...d, [k]: v } : d));

  return (
    <section className="mt-8">
      <div className="mb-2 flex items-center justify-between gap-3">
        <h2 className="text-sm font-semibold text-slate-700">{t("mine")}</h2>
        <Button size="sm" onClick={() => open(blank(defaultModel))} data-testid="assistant-new">
          <Plus />
          {t("new")}
        </Button>
      </div>
      {items.length === 0 ? (
        <p className="rounded-2xl bg-white px-4 py-6 text-center text-sm text-slate-500 ring-1 ring-slate-200/70">{t("noMine")}</p>
      ) : (
        <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="my-assistants">
          {items.map((a) => (
            <li key={a.ref} className="flex flex-col rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200/70" data-testid="my-assistant">
              <div className="flex items-start gap-3">
                <AssistantIcon icon={a.icon} className="size-11" />
                <div className="min-w-0 flex-1">
                  <h3 className="truncate font-medium text-slate-900">{a.name}</h3>
                  <p className="mt-0.5 line-clamp-2 text-sm leading-5 text-slate-500">{a.description || a.systemPrompt}</p>
                </div>
              </div>
              <div className="mt-3 flex items-center justify-between gap-2">
                <p className="min-w-0 truncate text-xs text-slate-400">{known[a.modelId]?.name ?? a.modelId}</p>
                <div className="flex shrink-0 items-center gap-1">
                  <button
                    type="button"
                    aria-label={`${t("edit")}：${a.name}`}
                    className="rounded-lg p-2 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
                    onClick={() => open(a)}
                  >
                    <Pencil className="size-4" />
                  </button>
                  <button
                    type="button"
                    aria-label={`${t("delete")}：${a.name}`}
                    className="rounded-lg p-2 text-slate-400 hover:bg-slate-100 hover:text-red-600"
                    onClick={() => setDeleting(a)}
                  >
                    <Trash2 className="size-4" />
                  </button>
                  <Link
                    prefetch={false}
                    href={`/chat?assistant=${encodeURIComponent(a.ref)}`}
                    className="inline-flex h-9 items-center gap-1.5 rounded-xl bg-brand-50 px-3 text-sm font-medium text-brand-700 hover:bg-brand-100"
                    aria-label={`${t("start")}：${a.name}`}
                  >
                    <MessageSquarePlus className="size-4" aria-hidden />
                    {t("start")}
                  </Link>
                </div>
              </div>
            </li>
          ))}
        </ul>
      )}

      <Dialog open={!!draft} onOpenChange={(o) => !o && setDraft(null)}>
        <DialogContent title={draft?.ref ? t("formEdit") : t("formNew")} className="sm:max-w-lg">
          {draft ? (
            <form onSubmit={save} className="flex flex-col gap-3">
              <div className="flex gap-2">
                <div className="w-16 shrink-0">
                  <Label htmlFor="as-icon">{t("icon")}</Label>
                  <Input
                    id="as-icon"
                    value={draft.icon === "sparkles" ? "" : draft.icon}
                    maxLength={8}
                    onChange={(e) => set("icon", e.target.value)}
                    className="mt-1 text-center text-lg"
                  />
                </div>
                <div className="min-w-0 flex-1">
                  <Label htmlFor="as-name">{t("name")}</Label>
                  <Input
                    id="as-name"
                    value={draft.name}
                    maxLength={30}
                    required
                    placeholder={t("namePlaceholder")}
                    onChange={(e) => set("name", e.target.value)}
                    className="mt-1"
                  />
                </div>
              </div>
              <div>
                <Label htmlFor="as-desc">{t("description")}</Label>
                <Input id="as-desc" value={draft.description} maxLength={120} onChange={(e) => set("description", e.target.value)} className="mt-1" />
              </div>
              <div>
                <Label htmlFor="as-prompt">{t("systemPrompt")}</Label>
                <Textarea
                  id="as-prompt"
                  value={draft.systemPrompt}
                  maxLength={8000}
                  rows={5}
                  required
                  onChange={(e) => set("systemPrompt", e.target.value)}
                  className="mt-1"
                  aria-describedby="as-prompt-hint"
                />
                <p id="as-prompt-hint" className="mt-1 text-xs text-slate-500">
                  {t("systemPromptHint")}
                </p>
              </div>
              <div className="flex flex-wrap items-center justify-between gap-2">
                <span className="text-sm font-medium text-slate-700">{t("model")}</span>
                {model ? <ModelPicker value={model} onChange={setModel} /> : null}
              </div>
              <div className="grid grid-cols-2 gap-3">
                <div>
                  <Label htmlFor="as-temp">{t("temperature", { value: (draft.temperatureTenths / 10).toFixed(1) })}</Label>
                  <input
                    id="as-temp"
                    type="range"
                    min={0}
                    max={20}
                    step={1}
                    value={draft.temperatureTenths}
                    onChange={(e) => set("temperatureTenths", Number(e.target.value))}
                    className="mt-2 w-full accent-brand-600"
                    aria-describedby="as-temp-hint"
                  />
                  <p id="as-temp-hint" className="text-xs text-slate-500">
                    {t("temperatureHint")}
                  </p>
                </div>
                <div>
                  <Label htmlFor="as-max">{t("maxOutput")}</Label>
                  <Input
                    id="as-max"
                    type="number"
                    inputMode="numeric"
                    min={64}
                    max={4096}
                    step={64}
                    value={draft.maxOutputTokens}
                    onChange={(e) => set("maxOutputTokens", Math.trunc(Number(e.target.value)) || 0)}
                    className="mt-1 tabular"
                  />
                </div>
              </div>
              <div>
                <Label htmlFor="as-open">{t("openingLine")}</Label>
                <Input
                  id="as-open"
                  value={draft.openingLine}
                  maxLength={500}
                  onChange={(e) => set("openingLine", e.target.value)}
                  className="mt-1"
                  aria-describedby="as-open-hint"
                />
                <p id="as-open-hint" className="mt-1 text-xs text-slate-500">
                  {t("openingLineHint")}
                </p>
              </div>
              <FieldError>{error}</FieldError>
              <div className="flex justify-end gap-2 pt-1">
                <Button type="button" variant="secondary" onClick={() => setDraft(null)}>
                  {t("cancel")}
                </Button>
                <Button type="submit" disabled={pending || !draft.name.trim() || !draft.systemPrompt.trim()}>
                  {t("save")}
                </Button>
              </div>
            </form>
          ) : null}
        </DialogContent>
      </Dialog>

      <Dialog open={!!deleting} onOpenChange={(o) => !o && setDeleting(null)}>
        <DialogContent title={t("deleteTitle")} description={t("deleteHint")}>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setDeleting(null)}>
              {t("cancel")}
            </Button>
            <Button
              type="button"
              variant="danger"
              disabled={pending}
              onClick={() =>
                start(async () => {
                  if (!deleting) return;
                  const r = await deleteMyAssistant({ id: deleting.ref });
                  if (r.ok) setItems((xs) => xs.filter((x) => x.ref !== deleting.ref));
                  setDeleting(null);
                })
              }
            >
              {t("delete")}
            </Button>
          </div>
        </DialogContent>
      </Dialog>
    </section>
  );
}
