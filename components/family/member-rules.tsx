"use client";
import { useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label } from "@/components/ui/input";
import { approveFamilyRequest, askFamilyPayer, setFamilyMemberControls } from "@/app/actions/family";
import { setFamilyMemberConfirmThreshold } from "@/app/actions/send-settings";
import { capToTokens, tokensToCap, useFamilyAction } from "./use-family-action";
import type { Locale } from "@/lib/core/format";

export type MemberRulesView = {
  userId: string;
  display: string;
  allowedModels: string[] | null;
  economyOnly: boolean;
  dailyCapTokens: string | null;
  quiet: { startMin: number; endMin: number } | null;
  /** 单条确认: the payer's threshold for this member (plan tokens), null = none. */
  confirmTokens: string | null;
};

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;
const minutes = (v: string) => {
  const m = /^(\d{2}):(\d{2})$/.exec(v);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
};

/** The payer's rules for one member: models, daily cap, quiet hours (Asia/Shanghai). */
export function MemberRules({ member }: { member: MemberRulesView }) {
  const t = useTranslations("family.rules");
  const locale = useLocale() as Locale;
  const factor = locale === "zh-CN" ? 10_000 : 1_000;
  const { run, pending, error, setError } = useFamilyAction();
  const [economyOnly, setEconomyOnly] = useState(member.economyOnly);
  const [models, setModels] = useState((member.allowedModels ?? []).join(", "));
  const [daily, setDaily] = useState(tokensToCap(member.dailyCapTokens, factor));
  const [confirm, setConfirm] = useState(tokensToCap(member.confirmTokens, factor));
  const [quietOn, setQuietOn] = useState(member.quiet !== null);
  const [start, setStart] = useState(hhmm(member.quiet?.startMin ?? 22 * 60));
  const [end, setEnd] = useState(hhmm(member.quiet?.endMin ?? 7 * 60));
  const [saved, setSaved] = useState(false);
  const id = (k: string) => `rules-${member.userId}-${k}`;

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    const dailyCapTokens = daily.trim() === "" ? null : capToTokens(daily, factor);
    if (daily.trim() !== "" && dailyCapTokens === null) return setError(t("badCap"));
    const confirmTokens = confirm.trim() === "" ? null : capToTokens(confirm, factor);
    if (confirm.trim() !== "" && (confirmTokens === null || confirmTokens === "0" || confirmTokens.length > 11)) return setError(t("badConfirm"));
    const s = minutes(start);
    const en = minutes(end);
    if (quietOn && (s === null || en === null || s === en)) return setError(t("badQuiet"));
    const allowedModels = models
      .split(/[,，\s]+/)
      .map((x) => x.trim())
      .filter(Boolean);
    run(
      async () => {
        const r = await setFamilyMemberControls({
          memberUserId: member.userId,
          allowedModels: allowedModels.length ? allowedModels : null,
          economyOnly,
          dailyCapTokens,
          quiet: quietOn && s !== null && en !== null ? { startMin: s, endMin: en } : null,
        });
        if (!r.ok) return r;
        return setFamilyMemberConfirmThreshold({ memberUserId: member.userId, tokens: confirmTokens });
      },
      () => setSaved(true),
    );
  };

  return (
    <form
      onSubmit={save}
      className="flex flex-col gap-3 rounded-xl bg-slate-50 p-3 ring-1 ring-slate-200/70"
      aria-label={t("formFor", { name: member.display })}
    >
      <p className="text-sm font-medium text-slate-900">{member.display}</p>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={economyOnly} onChange={(e) => setEconomyOnly(e.target.checked)} />
        {t("economyOnly")}
      </label>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={id("models")}>{t("allowedModels")}</Label>
        <Input id={id("models")} value={models} onChange={(e) => setModels(e.target.value)} placeholder={t("allowedModelsHint")} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={id("daily")}>{t("dailyCap")}</Label>
        <Input id={id("daily")} inputMode="decimal" value={daily} onChange={(e) => setDaily(e.target.value)} placeholder={t("dailyCapHint")} />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor={id("confirm")}>{t("confirm")}</Label>
        <Input id={id("confirm")} inputMode="decimal" value={confirm} onChange={(e) => setConfirm(e.target.value)} placeholder={t("confirmHint")} />
      </div>
      <label className="flex items-center gap-2 text-sm">
        <input type="checkbox" checked={quietOn} onChange={(e) => setQuietOn(e.target.checked)} />
        {t("quiet")}
      </label>
      {quietOn ? (
        <div className="grid grid-cols-2 gap-2">
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={id("start")}>{t("quietStart")}</Label>
            <Input id={id("start")} type="time" value={start} onChange={(e) => setStart(e.target.value)} />
          </div>
          <div className="flex flex-col gap-1.5">
            <Label htmlFor={id("end")}>{t("quietEnd")}</Label>
            <Input id={id("end")} type="time" value={end} onChange={(e) => setEnd(e.target.value)} />
          </div>
        </div>
      ) : null}
      <FieldError>{error}</FieldError>
      {saved ? (
        <p role="status" className="text-sm text-emerald-700">
          {t("saved")}
        </p>
      ) : null}
      <Button type="submit" size="sm" disabled={pending}>
        {t("save", { name: member.display })}
      </Button>
    </form>
  );
}

export type PayerRequestView = { id: string; display: string; reason: string; createdAt: string };

/** The payer's open requests from members, each approved with one tap. */
export function PayerRequests({ requests }: { requests: PayerRequestView[] }) {
  const t = useTranslations("family.requests");
  const { run, pending, error } = useFamilyAction();
  return (
    <div className="flex flex-col gap-2" data-testid="payer-requests">
      <ul className="divide-y divide-slate-100">
        {requests.map((r) => (
          <li key={r.id} className="flex items-center justify-between gap-3 py-2.5 text-sm" data-testid="payer-request">
            <span className="min-w-0">
              <span className="font-medium text-slate-900">{r.display}</span>
              <span className="ml-2 text-slate-500">{t(`reason.${r.reason}`)}</span>
            </span>
            <Button size="sm" disabled={pending} onClick={() => run(() => approveFamilyRequest({ requestId: r.id }))}>
              {t("approve")}
            </Button>
          </li>
        ))}
      </ul>
      <FieldError>{error}</FieldError>
    </div>
  );
}

/** The refusals a member may ask the payer to lift for the day. */
export const FAMILY_REFUSALS = ["quiet_hours", "daily_cap_reached", "model_not_allowed", "economy_only", "cap_reached"] as const;
export type FamilyRefusal = (typeof FAMILY_REFUSALS)[number];

/** A refused member asks the payer to let today through. */
export function AskPayerButton({ reason, size }: { reason: FamilyRefusal; size?: "sm" }) {
  const t = useTranslations("family.requests");
  const { run, pending, error } = useFamilyAction();
  const [sent, setSent] = useState(false);
  return (
    <div className="flex flex-col items-start gap-1.5">
      <Button
        variant="secondary"
        size={size}
        disabled={pending || sent}
        onClick={() =>
          run(
            () => askFamilyPayer({ reason }),
            () => setSent(true),
          )
        }
      >
        {sent ? t("asked") : t("ask")}
      </Button>
      <FieldError>{error}</FieldError>
    </div>
  );
}
