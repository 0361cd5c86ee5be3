"use client";
import { useEffect, useMemo, useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { useQueryClient } from "@tanstack/react-query";
import { Smartphone, CheckCircle2 } from "lucide-react";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { Input, Label, FieldError } from "@/components/ui/input";
import { Alert } from "@/components/ui/card";
import { purchasePack, purchasePlan, sendPurchaseCode } from "@/app/actions/plans";
import { formatYuan, maskPhone } from "@/lib/core/format";
import { useFailureText } from "@/components/use-failure-text";

type Props = {
  kind: "plan" | "pack";
  itemId: string;
  title: string;
  detail: string;
  priceFen: string;
  phone: string;
  trigger: React.ReactNode;
  /** What the purchase charges and grants, line by line (e.g. this month prorated, then each month). */
  lines?: { label: string; value: string; testId?: string }[];
  /** A note under the lines, such as how the proration rounds. */
  note?: string;
};

/** Confirms a purchase with an SMS code to the account's phone, then charges the phone bill. */
export function PurchaseDialog({ kind, itemId, title, detail, priceFen, phone, trigger, lines, note }: Props) {
  const t = useTranslations("plans");
  const errorText = useFailureText("plans");
  const router = useRouter();
  const qc = useQueryClient();
  const [open, setOpen] = useState(false);
  const [code, setCode] = useState("");
  const [sent, setSent] = useState(false);
  const [cooldown, setCooldown] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [done, setDone] = useState(false);
  const [pending, start] = useTransition();
  const nonce = useMemo(() => (open ? crypto.randomUUID() : ""), [open]);

  useEffect(() => {
    if (cooldown <= 0) return;
    const id = setTimeout(() => setCooldown((c) => c - 1), 1000);
    return () => clearTimeout(id);
  }, [cooldown]);

  function reset(o: boolean) {
    setOpen(o);
    if (!o) {
      // The page shows the new plan only once the sheet is dismissed: refreshing while it is open
      // re-renders the card that holds this dialog and would close the "购买成功" sheet under the user.
      if (done) router.refresh();
      setCode("");
      setSent(false);
      setError(null);
      setDone(false);
    }
  }

  function requestCode() {
    setError(null);
    start(async () => {
      const r = await sendPurchaseCode({});
      if (r.ok) {
        setSent(true);
        setCooldown(r.resendInSeconds);
      } else setError(errorText(r));
    });
  }

  function confirm(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    start(async () => {
      const r =
        kind === "plan"
          ? await purchasePlan({ tierId: itemId as never, code, expectedFen: priceFen })
          : await purchasePack({ packId: itemId as never, code, nonce });
      if (!r.ok) {
        setError(errorText(r));
        return;
      }
      setDone(true);
      await qc.invalidateQueries({ queryKey: ["balance"] });
      await qc.invalidateQueries({ queryKey: ["plan-alerts"] });
    });
  }

  return (
    <Dialog open={open} onOpenChange={reset}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={done ? t("success") : t("confirmTitle")}>
        {done ? (
          <div className="flex flex-col items-center gap-3 py-4 text-center" data-testid="purchase-done">
            <CheckCircle2 className="size-12 text-emerald-500" />
            <p className="font-medium text-slate-900">{title}</p>
            <p className="text-sm text-slate-500">{detail}</p>
            <Button className="mt-2 w-full" onClick={() => reset(false)}>
              {t("dismiss")}
            </Button>
          </div>
        ) : (
          <form onSubmit={confirm} className="flex flex-col gap-4">
            <div className="rounded-xl bg-slate-50 p-4 ring-1 ring-slate-200/70">
              <div className="flex items-start justify-between gap-3">
                <div>
                  <p className="font-medium text-slate-900">{title}</p>
                  <p className="mt-1 text-sm text-slate-500">{detail}</p>
                </div>
                <p className="shrink-0 text-lg font-semibold tabular text-slate-900">{formatYuan(BigInt(priceFen))}</p>
              </div>
              {lines?.length ? (
                <dl className="mt-3 flex flex-col gap-1.5 border-t border-slate-200/80 pt-3 text-sm">
                  {lines.map((l) => (
                    <div key={l.label} className="flex items-baseline justify-between gap-3">
                      <dt className="text-slate-500">{l.label}</dt>
                      <dd className="text-right font-medium tabular text-slate-900" data-testid={l.testId}>
                        {l.value}
                      </dd>
                    </div>
                  ))}
                </dl>
              ) : null}
              {note ? <p className="mt-2 text-xs text-slate-500">{note}</p> : null}
              <p className="mt-3 flex items-center gap-1.5 text-xs text-slate-500">
                <Smartphone className="size-3.5" />
                {t("chargeTo", { phone: maskPhone(phone) })}
              </p>
            </div>
            <div className="flex flex-col gap-1.5">
              <Label htmlFor="purchase-code">{t("codeLabel")}</Label>
              <div className="flex gap-2">
                <Input
                  id="purchase-code"
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  placeholder="000000"
                  value={code}
                  onChange={(e) => setCode(e.target.value.replace(/\D/g, ""))}
                  className="tabular tracking-widest"
                />
                <Button type="button" variant="secondary" onClick={requestCode} disabled={pending || cooldown > 0} className="shrink-0">
                  {cooldown > 0 ? t("resend", { seconds: cooldown }) : t("getCode")}
                </Button>
              </div>
              {sent && !error ? <p className="text-xs text-emerald-600">{t("codeSent", { phone: maskPhone(phone) })}</p> : null}
              <FieldError>{error}</FieldError>
            </div>
            <Button type="submit" size="lg" disabled={pending || code.length !== 6}>
              {t("confirmPay", { price: formatYuan(BigInt(priceFen)) })}
            </Button>
          </form>
        )}
      </DialogContent>
    </Dialog>
  );
}

export function InlineError({ text }: { text: string | null }) {
  return text ? <Alert tone="error">{text}</Alert> : null;
}
