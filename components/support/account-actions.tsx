"use client";
import * as React from "react";
import { useLocale, useTranslations } from "next-intl";
import { Gift, Repeat, CircleOff, LockOpen, LogOut, Undo2, Unlock, Eye, MessageSquareText } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { formatInt, formatTokens } from "@/lib/core/format";
import { GOODWILL_APPROVAL_CAP, GOODWILL_CREDIT_DAYS } from "@/lib/support/config";
import {
  cancelPlanAction,
  changePlanAction,
  clearLockoutAction,
  goodwillCreditAction,
  refundUsageAction,
  releaseHoldAction,
  sendPurchaseCodeAction,
  signOutEverywhereAction,
  unmaskPhoneAction,
} from "@/app/actions/support";
import { ActionDialog } from "./action-dialog";
import { useFailureText } from "@/components/use-failure-text";
import { newFormKey } from "./format";

type Loc = "zh-CN" | "en";

export function GoodwillAction({ targetUserId, wallets, disabled }: { targetUserId: string; wallets: { id: string; label: string }[]; disabled?: boolean }) {
  const t = useTranslations("support.action");
  const locale = useLocale() as Loc;
  const [amount, setAmount] = React.useState("");
  const [walletId, setWalletId] = React.useState(wallets[0]?.id ?? "");
  const valid = /^[1-9]\d{0,11}$/.test(amount);
  const big = valid ? BigInt(amount) : 0n;
  return (
    <ActionDialog
      testId="goodwill-dialog"
      trigger={
        <Button size="sm" disabled={disabled || wallets.length === 0}>
          <Gift />
          {t("goodwill")}
        </Button>
      }
      title={t("goodwillTitle")}
      description={t("goodwillDescription", { cap: formatTokens(GOODWILL_APPROVAL_CAP, locale) })}
      canSubmit={valid}
      onSubmit={(f) => goodwillCreditAction({ targetUserId, walletId: walletId || undefined, amount, ...f })}
      successText={(r) =>
        r.status === "pending_approval"
          ? r.approvalReason === "daily_staff_total"
            ? t("pendingDailyStaff")
            : r.approvalReason === "daily_account_total"
              ? t("pendingDailyAccount")
              : t("pendingApproval")
          : r.replayed
            ? t("replayed")
            : t("done")
      }
    >
      <div className="space-y-1.5">
        <Label htmlFor="goodwill-amount">{t("amount")}</Label>
        <Input id="goodwill-amount" inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value.replace(/\D/g, ""))} placeholder="1000000" />
        {valid ? (
          <p className={big > GOODWILL_APPROVAL_CAP ? "text-xs text-amber-700" : "text-xs text-slate-500"}>
            {big > GOODWILL_APPROVAL_CAP
              ? t("needsApproval")
              : t("amountHint", { amount: `${formatInt(big, locale)} (${formatTokens(big, locale)})`, days: GOODWILL_CREDIT_DAYS })}
          </p>
        ) : null}
      </div>
      {wallets.length > 1 ? (
        <div className="space-y-1.5">
          <Label htmlFor="goodwill-wallet">{t("wallet")}</Label>
          <Select id="goodwill-wallet" className="w-full" value={walletId} onChange={(e) => setWalletId(e.target.value)}>
            {wallets.map((w) => (
              <option key={w.id} value={w.id}>
                {w.label}
              </option>
            ))}
          </Select>
        </div>
      ) : null}
    </ActionDialog>
  );
}

export type TierOption = { id: string; label: string; kind: "subscribe" | "upgrade" | "downgrade" | "undo" | "current"; price: string | null };

/**
 * Changes the customer's plan. A change that charges the phone bill (new plan, upgrade) is
 * confirmed by the customer: staff send a code to the customer's phone, the customer reads it
 * out, staff type it in. Downgrades and undoing a scheduled change are free and need no code.
 */
export function ChangePlanAction({
  targetUserId,
  tiers,
  currentTierId,
  disabled,
}: {
  targetUserId: string;
  tiers: TierOption[];
  currentTierId: string | null;
  disabled?: boolean;
}) {
  const t = useTranslations("support.action");
  const errorText = useFailureText("support");
  const id = React.useId();
  const initial = tiers.find((x) => x.id !== currentTierId && x.kind !== "current")?.id ?? "";
  const [tierId, setTierId] = React.useState(initial);
  const [code, setCode] = React.useState("");
  const [sending, setSending] = React.useState(false);
  const [cooldown, setCooldown] = React.useState(0);
  const [sendMsg, setSendMsg] = React.useState<{ ok: boolean; text: string } | null>(null);
  const tier = tiers.find((x) => x.id === tierId);
  const paid = tier?.kind === "subscribe" || tier?.kind === "upgrade";

  React.useEffect(() => {
    if (cooldown <= 0) return;
    const timer = setTimeout(() => setCooldown((c) => c - 1), 1000);
    return () => clearTimeout(timer);
  }, [cooldown]);

  // A code confirms one plan: choosing another starts the confirmation over.
  function reset(next: string) {
    setTierId(next);
    setCode("");
    setSendMsg(null);
    setCooldown(0);
  }

  async function sendCode(form: { reasonCode: string; note: string }) {
    if (!form.reasonCode) {
      setSendMsg({ ok: false, text: t("reasonFirst") });
      return;
    }
    setSending(true);
    setSendMsg(null);
    const r = await sendPurchaseCodeAction({ targetUserId, tierId, reasonCode: form.reasonCode as "other", note: form.note, idempotencyKey: newFormKey() });
    setSending(false);
    if (!r.ok) {
      setSendMsg({ ok: false, text: errorText(r) });
      return;
    }
    setCooldown(r.resendInSeconds);
    setSendMsg({ ok: true, text: t("codeSent") });
  }

  return (
    <ActionDialog
      testId="change-plan-dialog"
      trigger={
        <Button size="sm" variant="secondary" disabled={disabled}>
          <Repeat />
          {t("changePlan")}
        </Button>
      }
      title={t("changePlanTitle")}
      description={t("changePlanDescription")}
      canSubmit={!!tier && tier.kind !== "current" && (!paid || /^\d{6}$/.test(code))}
      submitLabel={paid ? t("confirmPurchase") : undefined}
      onOpen={() => reset(initial)}
      onSubmit={(f) => changePlanAction({ targetUserId, tierId, purchaseCode: paid ? code : undefined, ...f })}
      successText={(r) => (r.outcome === "charge_failed" ? <span className="text-red-700">{t("chargeFailed")}</span> : r.replayed ? t("replayed") : t("done"))}
      extra={(form) =>
        paid ? (
          <div
            role="group"
            aria-labelledby={`${id}-confirm`}
            className="space-y-3 rounded-xl bg-amber-50 p-3 ring-1 ring-amber-200"
            data-testid="purchase-confirmation"
          >
            <div>
              <p id={`${id}-confirm`} className="text-sm font-medium text-amber-900">
                {t("purchaseConfirm")}
              </p>
              <p className="mt-0.5 text-xs text-amber-800">{t("planPaid", { price: tier?.price ?? "" })}</p>
            </div>
            <Button
              type="button"
              variant="secondary"
              size="sm"
              className="w-full sm:w-auto"
              onClick={() => void sendCode(form)}
              disabled={sending || cooldown > 0}
            >
              <MessageSquareText />
              {sending ? t("sendingCode") : cooldown > 0 ? t("resendCode", { seconds: cooldown }) : t("sendCode")}
            </Button>
            <p role="status" aria-live="polite" className={sendMsg ? (sendMsg.ok ? "text-xs text-emerald-700" : "text-xs text-red-700") : "sr-only"}>
              {sendMsg?.text}
            </p>
            <div className="space-y-1.5">
              <Label htmlFor={`${id}-code`}>{t("purchaseCode")}</Label>
              <Input
                id={`${id}-code`}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                value={code}
                onChange={(e) => setCode(e.target.value.replace(/\D/g, "").slice(0, 6))}
                aria-describedby={`${id}-code-hint`}
                className="font-mono text-lg tracking-[0.4em] tabular-nums"
                placeholder="······"
              />
              <p id={`${id}-code-hint`} className="text-xs text-slate-500">
                {t("purchaseCodeHint")}
              </p>
            </div>
          </div>
        ) : null
      }
    >
      <div className="space-y-1.5">
        <Label htmlFor={`${id}-tier`}>{t("tier")}</Label>
        <Select id={`${id}-tier`} className="w-full" value={tierId} onChange={(e) => reset(e.target.value)}>
          {tiers.map((x) => (
            <option key={x.id} value={x.id} disabled={x.kind === "current"}>
              {x.label}
            </option>
          ))}
        </Select>
        {tier && !paid ? (
          <p className={tier.kind === "current" ? "text-xs text-slate-500" : "text-xs text-emerald-700"}>
            {tier.kind === "current" ? t("planCurrent") : t("planFree")}
          </p>
        ) : null}
      </div>
    </ActionDialog>
  );
}

export function CancelPlanAction({ targetUserId, disabled }: { targetUserId: string; disabled?: boolean }) {
  const t = useTranslations("support.action");
  return (
    <ActionDialog
      danger
      trigger={
        <Button size="sm" variant="secondary" disabled={disabled}>
          <CircleOff />
          {t("cancelPlan")}
        </Button>
      }
      title={t("cancelPlanTitle")}
      description={t("cancelPlanDescription")}
      onSubmit={(f) => cancelPlanAction({ targetUserId, ...f })}
    />
  );
}

export function ClearLockoutAction({ targetUserId, locked }: { targetUserId: string; locked: boolean }) {
  const t = useTranslations("support.action");
  return (
    <ActionDialog
      trigger={
        <Button size="sm" variant={locked ? "primary" : "secondary"}>
          <LockOpen />
          {t("clearLockout")}
        </Button>
      }
      title={t("clearLockoutTitle")}
      description={t("clearLockoutDescription")}
      onSubmit={(f) => clearLockoutAction({ targetUserId, ...f })}
    />
  );
}

export function SignOutEverywhereAction({ targetUserId }: { targetUserId: string }) {
  const t = useTranslations("support.action");
  return (
    <ActionDialog
      danger
      trigger={
        <Button size="sm" variant="secondary">
          <LogOut />
          {t("signOut")}
        </Button>
      }
      title={t("signOutTitle")}
      description={t("signOutDescription")}
      onSubmit={(f) => signOutEverywhereAction({ targetUserId, ...f })}
    />
  );
}

export function RefundUsageAction({ targetUserId, usageId, model, planTokens }: { targetUserId: string; usageId: string; model: string; planTokens: string }) {
  const t = useTranslations("support");
  const locale = useLocale() as Loc;
  return (
    <ActionDialog
      testId="refund-dialog"
      trigger={
        <Button size="sm" variant="ghost" className="h-7 px-2 text-brand-700" aria-label={`${t("account.refund")} ${model}`}>
          <Undo2 />
          {t("account.refund")}
        </Button>
      }
      title={t("action.refundTitle")}
      description={t("action.refundDescription", { model, tokens: formatInt(BigInt(planTokens), locale) })}
      onSubmit={(f) => refundUsageAction({ targetUserId, usageId, ...f })}
    />
  );
}

export function ReleaseHoldAction({ targetUserId, holdId, amount }: { targetUserId: string; holdId: string; amount: string }) {
  const t = useTranslations("support");
  const locale = useLocale() as Loc;
  return (
    <ActionDialog
      trigger={
        <Button size="sm" variant="secondary">
          <Unlock />
          {t("account.release")}
        </Button>
      }
      title={t("action.releaseTitle")}
      description={t("action.releaseDescription", { amount: formatInt(BigInt(amount), locale) })}
      onSubmit={(f) => releaseHoldAction({ targetUserId, holdId, ...f })}
    />
  );
}

/** The masked number with a reveal that needs a reason and is audited. */
export function UnmaskPhone({ targetUserId, masked }: { targetUserId: string; masked: string }) {
  const t = useTranslations("support.account");
  const [phone, setPhone] = React.useState<string | null>(null);
  return (
    <span className="inline-flex items-center gap-2">
      <span className="font-mono tabular-nums" data-testid="account-phone">
        {phone ?? masked}
      </span>
      {phone ? null : (
        <ActionDialog
          trigger={
            <Button size="sm" variant="ghost" className="h-7 px-2 text-brand-700">
              <Eye />
              {t("unmask")}
            </Button>
          }
          title={t("unmaskTitle")}
          description={t("unmaskDescription")}
          submitLabel={t("unmaskSubmit")}
          onSubmit={async (f) => {
            const r = await unmaskPhoneAction({ targetUserId, ...f });
            if (r.ok) setPhone(r.phone);
            return r;
          }}
          successText={() => <span className="font-mono text-base tabular-nums">{phone}</span>}
        />
      )}
    </span>
  );
}

export function Notice({ children }: { children: React.ReactNode }) {
  return <Alert tone="warn">{children}</Alert>;
}
