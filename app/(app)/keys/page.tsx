import { headers } from "next/headers";
import { getLocale, getTranslations } from "next-intl/server";
import { Users } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { catalogOptions } from "@/lib/server/wiring";
import { listApiKeys } from "@/lib/apikeys/keys";
import { resolvePayingWallet } from "@/lib/ledger";
import { listedModels } from "@/lib/catalog";
import { formatInt, formatTokens, type Locale } from "@/lib/core/format";
import { Alert, PageHeader } from "@/components/ui/card";
import { CreateKeyDialog } from "@/components/keys/create-key-dialog";
import { KeyList } from "@/components/keys/key-list";
import { QuickStart } from "@/components/keys/quick-start";
import type { KeyView, ModelOption } from "@/components/keys/types";

export const dynamic = "force-dynamic";

const CAP_PRESETS = [1_000_000n, 5_000_000n, 10_000_000n];

function dateLabel(d: Date, locale: Locale): string {
  return new Intl.DateTimeFormat(locale, {
    timeZone: "Asia/Shanghai",
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
  }).format(d);
}

export default async function KeysPage() {
  const me = await requireUser();
  const db = await getDb();
  const now = new Date();
  const locale = (await getLocale()) as Locale;
  const t = await getTranslations("keys");
  const [keys, paying] = await Promise.all([listApiKeys(db, { userId: me.id, now }), resolvePayingWallet(db, { userId: me.id, now })]);
  const h = await headers();
  const host = h.get("x-forwarded-host") ?? h.get("host") ?? "localhost:3000";
  const proto = h.get("x-forwarded-proto") ?? (host.startsWith("localhost") || host.startsWith("127.") ? "http" : "https");
  const baseUrl = `${proto}://${host}/api/v1`;

  const views: KeyView[] = keys.map((k) => ({
    id: k.id,
    name: k.name,
    display: k.display,
    status: k.status,
    models: k.models,
    createdLabel: dateLabel(k.createdAt, locale),
    lastUsedLabel: k.lastUsedAt ? dateLabel(k.lastUsedAt, locale) : null,
    expiresLabel: k.expiresAt ? dateLabel(k.expiresAt, locale) : null,
    usedLabel: formatTokens(k.usedThisCycle + k.heldThisCycle, locale),
    capLabel: k.monthlyCapTokens !== null ? formatTokens(k.monthlyCapTokens, locale) : null,
    capPct: k.monthlyCapTokens ? Math.min(100, Number(((k.usedThisCycle + k.heldThisCycle) * 100n) / k.monthlyCapTokens)) : null,
    requests: formatInt(k.requestsThisCycle, locale),
  }));
  const models: ModelOption[] = listedModels(catalogOptions())
    .slice()
    .sort((a, b) => Number(!!b.recommended) - Number(!!a.recommended))
    .map((m) => ({ id: m.id, name: m.name }));
  const capLabels = Object.fromEntries(CAP_PRESETS.map((p) => [p.toString(), formatTokens(p, locale)]));

  return (
    <div className="mx-auto w-full max-w-3xl space-y-4 px-4 py-5">
      <PageHeader title={t("title")} description={t("subtitle")} actions={<CreateKeyDialog models={models} capLabels={capLabels} />} />
      {paying.kind === "family" ? (
        <Alert tone="info" className="flex gap-2">
          <Users className="mt-0.5 size-4 shrink-0" />
          <span>{t("familyNote")}</span>
        </Alert>
      ) : null}
      <KeyList keys={views} />
      <QuickStart baseUrl={baseUrl} />
    </div>
  );
}
