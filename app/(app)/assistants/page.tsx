import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { MessageSquarePlus } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { builtinAssistants, listMyAssistants, systemPromptTokens } from "@/lib/chat/assistants";
import { formatInt, type Locale } from "@/lib/core/format";
import { PageHeader } from "@/components/ui/card";
import { MyAssistants } from "@/components/chat/my-assistants";
import { AssistantIcon } from "@/components/chat/assistant-icon";
import type { ModelView } from "@/components/chat/types";
import { DEFAULT_CHAT_MODEL, modelView } from "../chat/load";

export const dynamic = "force-dynamic";

export async function generateMetadata() {
  const t = await getTranslations("chatTools.assistants");
  return { title: t("title") };
}

/** 技能包: the built-in gallery and the user's own assistants; each starts a chat in one tap. */
export default async function AssistantsPage() {
  const user = await requireUser();
  const t = await getTranslations("chatTools.assistants");
  const tg = await getTranslations("chatTools.gallery");
  const locale = (await getLocale()) as Locale;
  const mine = await listMyAssistants(await getDb(), { userId: user.id });
  const models: Record<string, ModelView> = {};
  for (const id of new Set([DEFAULT_CHAT_MODEL, ...mine.map((a) => a.modelId), ...builtinAssistants().map((a) => a.modelId)])) {
    const v = modelView(id);
    if (v) models[id] = v;
  }
  return (
    <div className="mx-auto w-full max-w-5xl px-4 py-5">
      <PageHeader title={t("title")} description={t("subtitle")} />
      <h2 className="mb-2 mt-2 text-sm font-semibold text-slate-700">{t("builtin")}</h2>
      <ul className="grid gap-3 sm:grid-cols-2 lg:grid-cols-3" data-testid="assistant-gallery">
        {builtinAssistants().map((a) => {
          const name = tg(`${a.slug}.name`);
          return (
            <li key={a.ref} className="flex flex-col rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200/70" data-testid="assistant-card">
              <div className="flex items-start gap-3">
                <AssistantIcon icon={a.icon} className="size-11" />
                <div className="min-w-0 flex-1">
                  <h3 className="font-medium text-slate-900">{name}</h3>
                  <p className="mt-0.5 text-sm leading-5 text-slate-500">{tg(`${a.slug}.description`)}</p>
                  <p className="mt-1.5 text-xs text-slate-400">
                    {models[a.modelId]?.name ?? a.modelId} · {t("promptTokens", { tokens: formatInt(systemPromptTokens(a.systemPrompt), locale) })}
                  </p>
                </div>
              </div>
              <div className="mt-auto flex justify-end pt-3">
                <Link
                  prefetch={false}
                  href={`/chat?assistant=${encodeURIComponent(a.ref)}`}
                  className="inline-flex h-9 shrink-0 items-center gap-1.5 rounded-xl bg-brand-50 px-3 text-sm font-medium text-brand-700 hover:bg-brand-100"
                  aria-label={`${t("start")}：${name}`}
                >
                  <MessageSquarePlus className="size-4" aria-hidden />
                  {t("start")}
                </Link>
              </div>
            </li>
          );
        })}
      </ul>
      <MyAssistants
        initial={mine.map((a) => ({
          ref: a.ref,
          name: a.name ?? "",
          icon: a.icon,
          description: a.description ?? "",
          systemPrompt: a.systemPrompt,
          modelId: a.modelId,
          temperatureTenths: a.temperatureTenths,
          maxOutputTokens: a.maxOutputTokens,
          openingLine: a.openingLine ?? "",
        }))}
        models={models}
        defaultModel={DEFAULT_CHAT_MODEL}
      />
    </div>
  );
}
