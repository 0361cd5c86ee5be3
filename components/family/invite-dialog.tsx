"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { UserPlus } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Input, Label, FieldError } from "@/components/ui/input";
import { Alert } from "@/components/ui/card";
import { inviteFamilyMember } from "@/app/actions/family";
import { maskPhone } from "@/lib/core/format";
import { CapField } from "./cap-field";
import { capToTokens, useFamilyAction } from "./use-family-action";

export function InviteDialog({ seatsLeft }: { seatsLeft: number }) {
  const t = useTranslations("family.invite");
  const tc = useTranslations("family.cap");
  const [open, setOpen] = useState(false);
  const [phone, setPhone] = useState("");
  const [cap, setCap] = useState("");
  const [sent, setSent] = useState<string | null>(null);
  const { run, pending, error, setError } = useFamilyAction();
  const factor = Number(tc("unitFactor"));
  const capTokens = cap.trim() === "" ? null : capToTokens(cap, factor);
  const full = seatsLeft <= 0;

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (cap.trim() !== "" && capTokens === null) return;
    const target = phone;
    run(
      () => inviteFamilyMember({ phone: target, capTokens }),
      () => {
        setSent(target.replace(/\D/g, "").slice(-11));
        setPhone("");
        setCap("");
        setOpen(false);
      },
    );
  }

  return (
    <>
      <Dialog
        open={open}
        onOpenChange={(o) => {
          setOpen(o);
          if (o) {
            setError(null);
            setSent(null);
          }
        }}
      >
        <DialogTrigger asChild>
          <Button data-testid="invite-open">
            <UserPlus />
            {t("button")}
          </Button>
        </DialogTrigger>
        <DialogContent title={t("title")} description={t("description")}>
          {full ? (
            <Alert tone="warn">{t("full")}</Alert>
          ) : (
            <form onSubmit={submit} className="space-y-4">
              <div className="space-y-2">
                <Label htmlFor="invite-phone">{t("phone")}</Label>
                <Input
                  id="invite-phone"
                  type="tel"
                  inputMode="numeric"
                  autoComplete="off"
                  maxLength={16}
                  placeholder={t("phonePlaceholder")}
                  value={phone}
                  onChange={(e) => setPhone(e.target.value)}
                  required
                />
              </div>
              <CapField id="invite-cap" label={t("cap")} value={cap} onChange={setCap} />
              <FieldError>{error}</FieldError>
              <div className="flex items-center justify-between gap-3 pt-1">
                <span className="text-xs text-slate-500">{t("seatsLeft", { count: seatsLeft })}</span>
                <Button type="submit" disabled={pending || phone.trim().length < 11}>
                  {t("submit")}
                </Button>
              </div>
            </form>
          )}
        </DialogContent>
      </Dialog>
      {sent ? (
        <Alert tone="success" className="fixed inset-x-4 bottom-20 z-40 mx-auto max-w-sm shadow-lg lg:bottom-6" onClick={() => setSent(null)}>
          {t("sent", { phone: maskPhone(sent) })}
        </Alert>
      ) : null}
    </>
  );
}
