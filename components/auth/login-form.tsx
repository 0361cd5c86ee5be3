"use client";
import { useEffect, useRef, useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useFailureText } from "@/components/use-failure-text";
import Link from "next/link";
import { Inbox } from "lucide-react";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label } from "@/components/ui/input";
import { Alert } from "@/components/ui/card";
import { sendSignInCode, verifySignInCode } from "@/app/(auth)/login/actions";
import { maskPhone } from "@/lib/core/format";

type Demo = { phone: string; name: string; note: string }[] | null;

export function LoginForm({ demoAccounts }: { demoAccounts: Demo }) {
  const t = useTranslations("auth");
  const failureText = useFailureText();
  const [phone, setPhone] = useState("");
  const [code, setCode] = useState("");
  const [sentTo, setSentTo] = useState<string | null>(null);
  const [countdown, setCountdown] = useState(0);
  const [error, setError] = useState<string | null>(null);
  const [sending, startSend] = useTransition();
  const [verifying, startVerify] = useTransition();
  const codeRef = useRef<HTMLInputElement>(null);

  useEffect(() => {
    if (countdown <= 0) return;
    const id = setTimeout(() => setCountdown((c) => c - 1), 1000);
    return () => clearTimeout(id);
  }, [countdown]);

  function showError(code: string, details?: Record<string, unknown>) {
    setError(failureText({ code, details }));
  }

  function onSend() {
    setError(null);
    startSend(async () => {
      const r = await sendSignInCode({ phone });
      if (r.ok) {
        setSentTo(phone);
        setCountdown(r.resendInSeconds);
        codeRef.current?.focus();
      } else {
        if (r.code === "too_soon") setCountdown(Number(r.details?.seconds ?? 60));
        showError(r.code, r.details);
      }
    });
  }

  function onSubmit(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    startVerify(async () => {
      const r = await verifySignInCode({ phone, code });
      if (r.ok) {
        window.location.assign(r.role === "support" ? "/support" : "/chat");
      } else {
        showError(r.code, r.details);
      }
    });
  }

  return (
    <form onSubmit={onSubmit} className="space-y-4" noValidate>
      <div className="space-y-1.5">
        <Label htmlFor="phone">{t("phone")}</Label>
        <div className="flex gap-2">
          <span className="flex h-11 items-center rounded-xl bg-slate-100 px-3 text-sm text-slate-600">+86</span>
          <Input
            id="phone"
            name="phone"
            inputMode="numeric"
            autoComplete="tel-national"
            maxLength={13}
            placeholder={t("phonePlaceholder")}
            value={phone}
            onChange={(e) => setPhone(e.target.value.replace(/[^\d]/g, ""))}
          />
        </div>
      </div>
      <div className="space-y-1.5">
        <Label htmlFor="code">{t("code")}</Label>
        <div className="flex gap-2">
          <Input
            ref={codeRef}
            id="code"
            name="code"
            inputMode="numeric"
            autoComplete="one-time-code"
            maxLength={6}
            placeholder={t("codePlaceholder")}
            value={code}
            onChange={(e) => setCode(e.target.value.replace(/[^\d]/g, ""))}
          />
          <Button
            type="button"
            variant="secondary"
            className="h-11 min-w-28 shrink-0"
            disabled={sending || countdown > 0 || phone.length < 11}
            onClick={onSend}
          >
            {countdown > 0 ? t("resendIn", { seconds: countdown }) : sentTo ? t("resend") : t("sendCode")}
          </Button>
        </div>
      </div>
      {sentTo && !error ? <Alert tone="success">{t("codeSent", { phone: maskPhone(sentTo) })}</Alert> : null}
      <FieldError id="login-error">{error}</FieldError>
      <Button type="submit" size="lg" className="w-full" disabled={verifying || phone.length < 11 || code.length !== 6}>
        {verifying ? t("signingIn") : t("signIn")}
      </Button>
      {demoAccounts ? (
        <div className="rounded-2xl bg-slate-50 p-4 ring-1 ring-slate-200/70" data-testid="demo-accounts">
          <div className="mb-2 flex items-center justify-between">
            <p className="text-sm font-medium text-slate-700">{t("demoTitle")}</p>
            <Link prefetch={false} href="/dev/sms" target="_blank" className="inline-flex items-center gap-1 text-sm text-brand-600 hover:underline">
              <Inbox className="size-4" />
              {t("devInbox")}
            </Link>
          </div>
          <p className="mb-3 text-xs text-slate-500">{t("demoHint")}</p>
          <ul className="grid gap-2 sm:grid-cols-2">
            {demoAccounts.map((a) => (
              <li key={a.phone}>
                <button
                  type="button"
                  onClick={() => setPhone(a.phone)}
                  className="w-full rounded-xl bg-white px-3 py-2 text-left ring-1 ring-slate-200 transition hover:ring-brand-300"
                >
                  <span className="block font-mono text-sm tabular">{a.phone}</span>
                  <span className="block text-xs text-slate-500">
                    {a.name} · {a.note}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
    </form>
  );
}
