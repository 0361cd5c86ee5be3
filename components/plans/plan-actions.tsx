"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger, DialogClose } from "@/components/ui/dialog";
import { Alert } from "@/components/ui/card";
import { cancelMyPlan, scheduleDowngrade, undoMyPlanChange } from "@/app/actions/plans";
import { useFailureText } from "@/components/use-failure-text";

function useRun() {
  const router = useRouter();
  const errorText = useFailureText("plans");
  const [pending, start] = useTransition();
  const [error, setError] = useState<string | null>(null);
  const run = (fn: () => Promise<{ ok: true } | { ok: false; code: string; details?: Record<string, unknown> }>, onOk?: () => void) =>
    start(async () => {
      setError(null);
      const r = await fn();
      if (!r.ok) return setError(errorText(r));
      onOk?.();
      router.refresh();
    });
  return { pending, error, run };
}

export function UndoChangeButton() {
  const t = useTranslations("plans");
  const { pending, error, run } = useRun();
  return (
    <span className="inline-flex flex-col items-end gap-1">
      <Button size="sm" variant="secondary" disabled={pending} onClick={() => run(() => undoMyPlanChange({}))}>
        {t("undo")}
      </Button>
      {error ? <span className="text-xs text-red-600">{error}</span> : null}
    </span>
  );
}

/** A confirm sheet for changes that cost nothing now (downgrade, cancel). */
function ConfirmChange({
  trigger,
  title,
  body,
  confirmLabel,
  onConfirm,
  tone = "primary",
}: {
  trigger: React.ReactNode;
  title: string;
  body: string;
  confirmLabel: string;
  onConfirm: () => Promise<{ ok: true } | { ok: false; code: string; details?: Record<string, unknown> }>;
  tone?: "primary" | "danger";
}) {
  const t = useTranslations("common");
  const [open, setOpen] = useState(false);
  const { pending, error, run } = useRun();
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title}>
        <p className="text-sm text-slate-600">{body}</p>
        {error ? (
          <Alert tone="error" className="mt-3">
            {error}
          </Alert>
        ) : null}
        <div className="mt-5 flex gap-2">
          <DialogClose asChild>
            <Button variant="secondary" className="flex-1">
              {t("cancel")}
            </Button>
          </DialogClose>
          <Button variant={tone} className="flex-1" disabled={pending} onClick={() => run(onConfirm, () => setOpen(false))}>
            {confirmLabel}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}

export function CancelPlanButton({ endDate }: { endDate: string }) {
  const t = useTranslations("plans");
  return (
    <ConfirmChange
      trigger={
        <Button size="sm" variant="ghost" className="text-white/80 ring-1 ring-white/30 hover:bg-white/10 hover:text-white">
          {t("cancelPlan")}
        </Button>
      }
      title={t("cancelPlan")}
      body={t("cancelConfirm", { date: endDate })}
      confirmLabel={t("cancelPlan")}
      tone="danger"
      onConfirm={() => cancelMyPlan({})}
    />
  );
}

export function DowngradeButton({ tierId, tierName, date }: { tierId: string; tierName: string; date: string }) {
  const t = useTranslations("plans");
  return (
    <ConfirmChange
      trigger={
        <Button size="sm" variant="secondary" className="w-full">
          {t("downgrade")}
        </Button>
      }
      title={t("downgrade")}
      body={t("downgradeConfirm", { tier: tierName, date })}
      confirmLabel={t("downgrade")}
      onConfirm={() => scheduleDowngrade({ tierId: tierId as never })}
    />
  );
}
