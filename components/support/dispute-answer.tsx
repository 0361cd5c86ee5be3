"use client";
import { useState } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { MessageSquareText, Undo2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { useFailureText } from "@/components/use-failure-text";
import { answerDisputeAction } from "@/app/actions/support";
import { newFormKey } from "./format";

/** Staff's answer to one ticket: an explanation, or a refund of the charge with the explanation. */
export function DisputeAnswer({ ticketId, refunded }: { ticketId: string; refunded: boolean }) {
  const t = useTranslations("disputes.queue");
  const failure = useFailureText("disputes");
  const router = useRouter();
  const [answer, setAnswer] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  // One key per opened form: a double click or a retried request acts once.
  const [formKey, setFormKey] = useState(newFormKey);

  async function send(refund: boolean) {
    if (!answer.trim()) return setError(t("answerPlaceholder"));
    setBusy(true);
    setError(null);
    const r = await answerDisputeAction({ ticketId, answer, refund, idempotencyKey: formKey });
    setBusy(false);
    if (!r.ok) {
      setFormKey(newFormKey());
      return setError(failure(r));
    }
    router.refresh();
  }

  return (
    <div className="mt-3 space-y-2">
      <label className="block text-xs font-medium text-slate-600">
        {t("answer")}
        <Textarea className="mt-1" rows={2} maxLength={500} value={answer} onChange={(e) => setAnswer(e.target.value)} placeholder={t("answerPlaceholder")} />
      </label>
      {error ? (
        <p className="text-sm text-red-600" role="alert">
          {error}
        </p>
      ) : null}
      <div className="flex flex-wrap justify-end gap-2">
        <Button size="sm" variant="secondary" onClick={() => void send(false)} disabled={busy}>
          <MessageSquareText />
          {t("explain")}
        </Button>
        {refunded ? null : (
          <Button size="sm" onClick={() => void send(true)} disabled={busy}>
            <Undo2 />
            {t("refund")}
          </Button>
        )}
      </div>
    </div>
  );
}
