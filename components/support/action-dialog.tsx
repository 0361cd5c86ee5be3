"use client";
import * as React from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Dialog, DialogContent, DialogTrigger, DialogClose } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { Label, Select, Textarea, FieldError } from "@/components/ui/input";
import { REASON_CODES, NOTE_MAX, type ReasonCode } from "@/lib/support/config";
import { newFormKey } from "./format";
import { useFailureText } from "@/components/use-failure-text";
import { useActionResult } from "./action-result";

export type StaffForm = { reasonCode: ReasonCode; note: string; idempotencyKey: string };
export type ActionResult = { ok: true; replayed?: boolean; [k: string]: unknown } | { ok: false; code: string; details?: Record<string, unknown> };

/**
 * One staff action in a dialog: the action's own fields, a reason from the fixed list and a
 * note. The idempotency key is made when the dialog opens, so a double click or a resubmit of
 * the same form acts once.
 */
export function ActionDialog({
  trigger,
  title,
  description,
  submitLabel,
  danger,
  children,
  canSubmit = true,
  onSubmit,
  successText,
  testId,
  extra,
  onOpen,
}: {
  trigger: React.ReactNode;
  title: string;
  description?: string;
  submitLabel?: React.ReactNode;
  danger?: boolean;
  children?: React.ReactNode;
  canSubmit?: boolean;
  onSubmit: (form: StaffForm) => Promise<ActionResult>;
  successText?: (r: Extract<ActionResult, { ok: true }>) => React.ReactNode;
  testId?: string;
  /** Fields shown after the reason and note, which may need them (e.g. texting a code needs a reason). */
  extra?: (form: { reasonCode: ReasonCode | ""; note: string }) => React.ReactNode;
  /** Called each time the dialog opens, to reset the action's own fields. */
  onOpen?: () => void;
}) {
  const t = useTranslations("support");
  const tc = useTranslations("common");
  const errorText = useFailureText("support");
  const router = useRouter();
  const showResult = useActionResult();
  const [open, setOpen] = React.useState(false);
  const [key, setKey] = React.useState("");
  const [reasonCode, setReason] = React.useState<ReasonCode | "">("");
  const [note, setNote] = React.useState("");
  const [error, setError] = React.useState<string | null>(null);
  const [pending, start] = React.useTransition();
  const id = React.useId();

  function onOpenChange(next: boolean) {
    setOpen(next);
    if (next) {
      setKey(newFormKey());
      setReason("");
      setNote("");
      setError(null);
      onOpen?.();
    }
  }

  function submit(e: React.FormEvent) {
    e.preventDefault();
    if (!reasonCode) {
      setError(t("errors.invalid_input"));
      return;
    }
    setError(null);
    start(async () => {
      const r = await onSubmit({ reasonCode, note, idempotencyKey: key });
      if (!r.ok) {
        setError(errorText(r));
        return;
      }
      const outcome = successText?.(r) ?? (r.replayed ? t("action.replayed") : t("action.done"));
      // Shown above the page: the refresh may take this dialog's row, and the dialog, away.
      showResult({ title, body: outcome, testId: testId && `${testId}-result` });
      setOpen(false);
      router.refresh();
    });
  }

  return (
    <Dialog open={open} onOpenChange={onOpenChange}>
      <DialogTrigger asChild>{trigger}</DialogTrigger>
      <DialogContent title={title} description={description} data-testid={testId}>
        <form onSubmit={submit} className="space-y-4">
          {children}
          <div className="space-y-1.5">
            <Label htmlFor={`${id}-reason`}>{t("action.reason")}</Label>
            <Select id={`${id}-reason`} className="w-full" value={reasonCode} onChange={(e) => setReason(e.target.value as ReasonCode)} required>
              <option value="" disabled>
                {t("action.reasonPlaceholder")}
              </option>
              {REASON_CODES.map((c) => (
                <option key={c} value={c}>
                  {t(`reason.${c}`)}
                </option>
              ))}
            </Select>
          </div>
          <div className="space-y-1.5">
            <Label htmlFor={`${id}-note`}>{t("action.note")}</Label>
            <Textarea
              id={`${id}-note`}
              rows={3}
              maxLength={NOTE_MAX}
              value={note}
              onChange={(e) => setNote(e.target.value)}
              placeholder={t("action.notePlaceholder")}
            />
          </div>
          {extra?.({ reasonCode, note })}
          <FieldError>{error}</FieldError>
          <div className="flex flex-col-reverse gap-2 sm:flex-row sm:justify-end">
            <DialogClose asChild>
              <Button type="button" variant="secondary">
                {tc("cancel")}
              </Button>
            </DialogClose>
            <Button type="submit" variant={danger ? "danger" : "primary"} disabled={pending || !canSubmit}>
              {pending ? t("action.submitting") : (submitLabel ?? t("action.submit"))}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}
