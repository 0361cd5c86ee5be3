"use client";
import { useEffect, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { ShieldCheck } from "lucide-react";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import { sendPurchaseCode, setMySafetyNet } from "@/app/actions/plans";
import { useFailureText } from "@/components/use-failure-text";
import type { SafetyNetCurrent } from "./safety-net-current";

type Pack = { id: string; label: string };
type Option = { id: string; label: string };
type Current = SafetyNetCurrent;

/**
 * 放心用: what happens when the allowance and packs are all spent, chosen by the payer: stop, buy
 * packs automatically (charged to the phone bill, up to N a month), or continue on an economical
 * model until the cycle ends (its replies draw on what is left, then on the same capped packs).
 * Any choice that may charge needs the SMS purchase code.
 */
export function SafetyNetCard({
  current,
  packs,
  economyModels,
  switchedSince,
  memberUserId,
  title,
}: {
  current: Current;
  packs: Pack[];
  economyModels: Option[];
  /** Set when this spender already runs on the economical model this cycle (ISO date). */
  switchedSince?: string | null;
  memberUserId?: string;
  title?: string;
}) {
  const t = useTranslations("plans.safetyNet");
  const errorText = useFailureText("plans");
  const router = useRouter();
  const [mode, setMode] = useState<Current["mode"]>(current.mode);
  const [packId, setPackId] = useState(current.mode !== "stop" ? current.packId : (packs[0]?.id ?? ""));
  const [max, setMax] = useState(current.mode !== "stop" ? current.maxPacksPerMonth : 2);
  const [modelId, setModelId] = useState(current.mode === "economy" ? current.modelId : (economyModels[0]?.id ?? ""));
  const who = memberUserId ?? "me";
  const [code, setCode] = useState("");
  const [cooldown, setCooldown] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, start] = useTransition();
  useEffect(() => {
    if (cooldown <= 0) return;
    const id = setTimeout(() => setCooldown((c) => c - 1), 1000);
    return () => clearTimeout(id);
  }, [cooldown]);

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    setError(null);
    setSaved(false);
    start(async () => {
      const r =
        mode === "stop"
          ? await setMySafetyNet({ mode: "stop", memberUserId })
          : mode === "economy"
            ? await setMySafetyNet({ mode: "economy", memberUserId, modelId, packId: packId as never, maxPacksPerMonth: max, code })
            : await setMySafetyNet({ mode: "auto_pack", memberUserId, packId: packId as never, maxPacksPerMonth: max, code });
      if (!r.ok) return setError(errorText(r));
      setSaved(true);
      setCode("");
      router.refresh();
    });
  };

  return (
    <Card data-testid="safety-net" aria-label={title ?? t("title")}>
      <CardTitle className="flex items-center gap-2">
        <ShieldCheck className="size-4 text-brand-600" />
        {title ?? t("title")}
      </CardTitle>
      <CardDescription className="mt-1">{t("hint")}</CardDescription>
      <form onSubmit={save} className="mt-3 flex flex-col gap-3">
        <fieldset className="flex flex-col gap-2 text-sm">
          <legend className="sr-only">{t("title")}</legend>
          <label className="flex items-start gap-2">
            <input type="radio" name={`safety-mode-${memberUserId ?? "me"}`} checked={mode === "stop"} onChange={() => setMode("stop")} className="mt-1" />
            <span>
              <span className="font-medium text-slate-900">{t("stop")}</span>
              <span className="block text-xs text-slate-500">{t("stopHint")}</span>
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input
              type="radio"
              name={`safety-mode-${memberUserId ?? "me"}`}
              checked={mode === "auto_pack"}
              onChange={() => setMode("auto_pack")}
              className="mt-1"
            />
            <span>
              <span className="font-medium text-slate-900">{t("autoPack")}</span>
              <span className="block text-xs text-slate-500">{t("autoPackHint")}</span>
            </span>
          </label>
          <label className="flex items-start gap-2">
            <input type="radio" name={`safety-mode-${who}`} checked={mode === "economy"} onChange={() => setMode("economy")} className="mt-1" />
            <span>
              <span className="font-medium text-slate-900">{t("economy")}</span>
              <span className="block text-xs text-slate-500">{t("economyHint")}</span>
            </span>
          </label>
        </fieldset>
        {switchedSince && current.mode === "economy" ? (
          <p role="status" className="rounded-lg bg-brand-50 px-3 py-2 text-xs text-brand-800" data-testid="economy-switched">
            {t("switchedSince", { date: switchedSince })}
          </p>
        ) : null}
        {mode === "economy" ? (
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={`safety-model-${who}`}>{t("economyModel")}</Label>
            <Select id={`safety-model-${who}`} value={modelId} onChange={(e) => setModelId(e.target.value)}>
              {economyModels.map((m) => (
                <option key={m.id} value={m.id}>
                  {m.label}
                </option>
              ))}
            </Select>
          </div>
        ) : null}
        {mode !== "stop" ? (
          <div className="grid gap-3 sm:grid-cols-2">
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`safety-pack-${memberUserId ?? "me"}`}>{mode === "economy" ? t("economyPack") : t("pack")}</Label>
              <Select id={`safety-pack-${memberUserId ?? "me"}`} value={packId} onChange={(e) => setPackId(e.target.value)}>
                {packs.map((p) => (
                  <option key={p.id} value={p.id}>
                    {p.label}
                  </option>
                ))}
              </Select>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor={`safety-max-${memberUserId ?? "me"}`}>{t("max")}</Label>
              <Select id={`safety-max-${memberUserId ?? "me"}`} value={String(max)} onChange={(e) => setMax(Number(e.target.value))}>
                {[1, 2, 3, 4, 5, 10].map((n) => (
                  <option key={n} value={n}>
                    {t("times", { n })}
                  </option>
                ))}
              </Select>
            </div>
            <div className="flex flex-col gap-1.5 sm:col-span-2">
              <Label htmlFor={`safety-code-${memberUserId ?? "me"}`}>{t("code")}</Label>
              <div className="flex gap-2">
                <Input
                  id={`safety-code-${memberUserId ?? "me"}`}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  placeholder="000000"
                  value={code}
                  onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
                  className="tabular tracking-widest"
                />
                <Button
                  type="button"
                  variant="secondary"
                  className="shrink-0"
                  disabled={pending || cooldown > 0}
                  onClick={() =>
                    start(async () => {
                      setError(null);
                      const r = await sendPurchaseCode({});
                      if (r.ok) setCooldown(r.resendInSeconds);
                      else setError(errorText(r));
                    })
                  }
                >
                  {cooldown > 0 ? t("resend", { seconds: cooldown }) : t("getCode")}
                </Button>
              </div>
            </div>
          </div>
        ) : null}
        <FieldError>{error}</FieldError>
        {saved ? (
          <p role="status" className="text-sm text-emerald-700">
            {t("saved")}
          </p>
        ) : null}
        <Button type="submit" disabled={pending || (mode !== "stop" && code.length !== 6)}>
          {t("save")}
        </Button>
      </form>
    </Card>
  );
}
