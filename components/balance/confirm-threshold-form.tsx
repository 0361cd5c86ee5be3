"use client";
import { useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useLocale, useTranslations } from "next-intl";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Input } from "@/components/ui/input";
import { useFailureText } from "@/components/use-failure-text";
import { setMyConfirmThreshold, type ConfirmThresholdView } from "@/app/actions/send-settings";
import { formatTokens, type Locale } from "@/lib/core/format";

const PRESETS = [10_000, 50_000, 200_000] as const;

/** 我的 → "单条超过 N tokens 时先确认": the user's own threshold, and the family owner's if one applies. */
export function ConfirmThresholdForm({ initial }: { initial: ConfirmThresholdView }) {
  const t = useTranslations("spend.threshold");
  const locale = useLocale() as Locale;
  const failure = useFailureText("spend");
  const queryClient = useQueryClient();
  const [saved, setSaved] = useState(initial.self);
  const [value, setValue] = useState(initial.self ?? "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [done, setDone] = useState(false);

  async function save(next: string | null) {
    setBusy(true);
    setError(null);
    setDone(false);
    const r = await setMyConfirmThreshold({ tokens: next });
    setBusy(false);
    if (!r.ok) return setError(failure(r));
    setSaved(next);
    setValue(next ?? "");
    setDone(true);
    // The composer's quotes carry the threshold: ask again.
    void queryClient.invalidateQueries({ queryKey: ["quote"] });
  }

  return (
    <Card className="mt-4" data-testid="confirm-threshold">
      <CardTitle>{t("title")}</CardTitle>
      <CardDescription className="mt-1">{t("description")}</CardDescription>
      <p className="mt-3 text-sm text-slate-700" data-testid="confirm-threshold-current">
        {saved ? t("current", { tokens: formatTokens(BigInt(saved), locale) }) : t("off")}
      </p>
      {initial.owner ? (
        <p className="mt-1 text-xs text-amber-700" data-testid="confirm-threshold-owner">
          {t("owner", { tokens: formatTokens(BigInt(initial.owner), locale) })}
        </p>
      ) : null}
      <form
        className="mt-3 flex flex-wrap items-center gap-2"
        onSubmit={(e) => {
          e.preventDefault();
          const v = value.trim();
          if (!/^\d{1,11}$/.test(v) || BigInt(v) <= 0n) return setError(t("invalid"));
          void save(v);
        }}
      >
        <label className="flex items-center gap-2 text-sm text-slate-700">
          <span className="shrink-0">{t("label")}</span>
          <Input
            inputMode="numeric"
            className="w-32 tabular"
            value={value}
            onChange={(e) => setValue(e.target.value.replace(/[^\d]/g, ""))}
            aria-label={t("inputLabel")}
            aria-invalid={!!error}
          />
          <span className="shrink-0">tokens</span>
        </label>
        <Button type="submit" size="sm" disabled={busy}>
          {t("save")}
        </Button>
        {saved ? (
          <Button type="button" size="sm" variant="ghost" disabled={busy} onClick={() => void save(null)}>
            {t("turnOff")}
          </Button>
        ) : null}
      </form>
      <div className="mt-2 flex flex-wrap gap-2">
        {PRESETS.map((n) => (
          <button
            key={n}
            type="button"
            disabled={busy}
            onClick={() => void save(String(n))}
            className="rounded-full bg-slate-100 px-3 py-1 text-xs text-slate-700 hover:bg-slate-200"
          >
            {formatTokens(n, locale)}
          </button>
        ))}
      </div>
      {error ? (
        <p className="mt-2 text-sm text-red-600" role="alert">
          {error}
        </p>
      ) : done ? (
        <p className="mt-2 text-sm text-emerald-700" role="status">
          {t("saved")}
        </p>
      ) : null}
    </Card>
  );
}
