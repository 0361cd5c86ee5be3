"use client";
import { useLocale, useTranslations } from "next-intl";
import { Input, Label } from "@/components/ui/input";
import { cn } from "@/lib/cn";
import { formatTokens, type Locale } from "@/lib/core/format";
import { capToTokens } from "./use-family-action";

/** Cap entry in the reader's unit (万 tokens / K tokens) with quick picks and a preview. */
export function CapField({
  id,
  label,
  value,
  onChange,
  allowNone = true,
}: {
  id: string;
  label: string;
  value: string;
  onChange: (v: string) => void;
  allowNone?: boolean;
}) {
  const t = useTranslations("family.cap");
  const locale = useLocale() as Locale;
  const factor = Number(t("unitFactor"));
  const presets = factor === 10_000 ? ["100", "500", "1000", "3000"] : ["1000", "5000", "10000", "30000"];
  const tokens = value.trim() === "" ? null : capToTokens(value, factor);
  return (
    <div className="space-y-2">
      <Label htmlFor={id}>{label}</Label>
      <div className="relative">
        <Input
          id={id}
          inputMode="decimal"
          autoComplete="off"
          placeholder={allowNone ? t("none") : "0"}
          value={value}
          onChange={(e) => onChange(e.target.value.replace(/[^\d.]/g, ""))}
          aria-invalid={value.trim() !== "" && tokens === null}
          className="pr-24"
        />
        <span className="pointer-events-none absolute inset-y-0 right-3 flex items-center text-sm text-slate-500">{t("unit")}</span>
      </div>
      <div className="flex flex-wrap gap-2" aria-label={t("presets")}>
        {allowNone ? (
          <button
            type="button"
            onClick={() => onChange("")}
            className={cn(
              "rounded-full px-3 py-1 text-xs ring-1 ring-inset",
              value === "" ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50",
            )}
          >
            {t("none")}
          </button>
        ) : null}
        {presets.map((p) => (
          <button
            key={p}
            type="button"
            onClick={() => onChange(p)}
            className={cn(
              "rounded-full px-3 py-1 text-xs tabular ring-1 ring-inset",
              value === p ? "bg-brand-600 text-white ring-brand-600" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50",
            )}
          >
            {formatTokens(BigInt(capToTokens(p, factor)!), locale)}
          </button>
        ))}
      </div>
      {tokens !== null ? <p className="text-xs text-slate-500 tabular">{t("preview", { amount: formatTokens(BigInt(tokens), locale) })}</p> : null}
      {value.trim() !== "" && tokens === null ? (
        <p role="alert" className="text-xs text-red-600">
          {t("invalid")}
        </p>
      ) : null}
    </div>
  );
}
