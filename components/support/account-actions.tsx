"use client";
import * as React from "react";
import { useLocale, useTranslations } from "next-intl";
import { Gift, Repeat, CircleOff, LockOpen, LogOut, Undo2, Unlock, Eye } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";
import { Input, Label, Select } from "@/components/ui/input";
import { formatInt, formatTokens } from "@/lib/format";
import { GOODWILL_APPROVAL_CAP, GOODWILL_CREDIT_DAYS } from "@/lib/support/config";
import {
  cancelPlanAction,
  changePlanAction,
  clearLockoutAction,
  goodwillCreditAction,
  refundUsageAction,
  releaseHoldAction,
  signOutEverywhereAction,
  unmaskPhoneAction,
} from "@/app/actions/support";
import { ActionDialog } from "./action-dialog";

type Loc = "zh-CN" | "en";

export function GoodwillAction({ targetUserId, wallets }: { targetUserId: string; wallets: { id: string; label: string }[] }) {
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
        <Button size="sm">
          <Gift />
          {t("goodwill")}
        </Button>
      }
      title={t("goodwillTitle")}
      description={t("goodwillDescription", { cap: formatTokens(GOODWILL_APPROVAL_CAP, locale) })}
      canSubmit={valid}
      onSubmit={(f) => goodwillCreditAction({ targetUserId, walletId: walletId || undefined, amount, ...f })}
      successText={(r) => (r.status === "pending_approval" ? t("pendingApproval") : r.replayed ? t("replayed") : t("done"))}
    >
      <div className="space-y-1.5">
        <Label htmlFor="goodwill-amount">{t("amount")}</Label>
        <Input id="goodwill-amount" inputMode="numeric" value={amount} onChange={(e) => setAmount(e.target.value.replace(/\D/g, ""))} placeholder="1000000" />
        {valid ? (
          <p className={big > GOODWILL_APPROVAL_CAP ? "text-xs text-amber-700" : "text-xs text-slate-500"}>
            {big > GOODWILL_APPROVAL_CAP ? t("needsApproval") : t("amountHint", { amount: `${formatInt(big, locale)} (${formatTokens(big, locale)})`, days: GOODWILL_CREDIT_DAYS })}
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

export function ChangePlanAction({ targetUserId, tiers, currentTierId }: { targetUserId: string; tiers: { id: string; label: string }[]; currentTierId: string | null }) {
  const t = useTranslations("support.action");
  const [tierId, setTierId] = React.useState(tiers.find((x) => x.id !== currentTierId)?.id ?? "");
  return (
    <ActionDialog
      trigger={
        <Button size="sm" variant="secondary">
          <Repeat />
          {t("changePlan")}
        </Button>
      }
      title={t("changePlanTitle")}
      description={t("changePlanDescription")}
      canSubmit={!!tierId}
      onSubmit={(f) => changePlanAction({ targetUserId, tierId, ...f })}
      successText={(r) => (r.outcome === "charge_failed" ? <span className="text-red-700">{t("chargeFailed")}</span> : r.replayed ? t("replayed") : t("done"))}
    >
      <div className="space-y-1.5">
        <Label htmlFor="plan-tier">{t("tier")}</Label>
        <Select id="plan-tier" className="w-full" value={tierId} onChange={(e) => setTierId(e.target.value)}>
          {tiers.map((x) => (
            <option key={x.id} value={x.id}>
              {x.label}
            </option>
          ))}
        </Select>
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
