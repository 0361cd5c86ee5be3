"use client";
import { useState } from "react";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { MessageSquareText } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Textarea } from "@/components/ui/input";
import { Badge } from "@/components/ui/card";
import { useFailureText } from "@/components/use-failure-text";
import { getMyDispute, openMyDispute, type DisputeView } from "@/app/actions/disputes";

/** "申诉" on a receipt: open a ticket about this charge, then see staff's answer here. */
export function DisputeSection({ usageId, refunded }: { usageId: string; refunded: boolean }) {
  const t = useTranslations("disputes");
  const failure = useFailureText("disputes");
  const queryClient = useQueryClient();
  const key = ["dispute", usageId] as const;
  const { data: dispute, isPending } = useQuery({
    queryKey: key,
    queryFn: async (): Promise<DisputeView | null> => {
      const r = await getMyDispute({ usageId });
      if (!r.ok) throw new Error(r.code);
      return r.dispute;
    },
  });
  const [writing, setWriting] = useState(false);
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  async function submit() {
    setBusy(true);
    setError(null);
    const r = await openMyDispute({ usageId, note });
    setBusy(false);
    if (!r.ok) return setError(failure(r));
    setWriting(false);
    setNote("");
    queryClient.setQueryData(key, r.dispute);
  }

  if (isPending) return null;
  const canOpen = !refunded && (!dispute || dispute.status === "answered");
  return (
    <section className="mt-4 border-t border-slate-100 pt-3" aria-label={t("section")} data-testid="dispute">
      {dispute ? (
        <div
          className="rounded-xl bg-slate-50 px-3 py-2.5 text-sm ring-1 ring-slate-200"
          data-testid="dispute-status"
          data-status={dispute.status}
          data-resolution={dispute.resolution ?? ""}
        >
          <div className="flex items-center gap-2">
            <MessageSquareText className="size-4 text-slate-500" aria-hidden />
            <span className="font-medium text-slate-800">{dispute.status === "open" ? t("open") : t("answered")}</span>
            {dispute.resolution ? <Badge tone={dispute.resolution === "refunded" ? "green" : "slate"}>{t(`resolution.${dispute.resolution}`)}</Badge> : null}
          </div>
          {dispute.status === "open" ? <p className="mt-1 text-xs text-slate-500">{t("openHint")}</p> : null}
          {dispute.answer ? (
            <p className="mt-1.5 whitespace-pre-wrap text-slate-700" data-testid="dispute-answer">
              {t("answerPrefix")}
              {dispute.answer}
            </p>
          ) : null}
        </div>
      ) : null}
      {canOpen && !writing ? (
        <Button variant="secondary" size="sm" className="mt-2" onClick={() => setWriting(true)}>
          {dispute ? t("again") : t("start")}
        </Button>
      ) : null}
      {writing ? (
        <div className="mt-2 space-y-2">
          <label className="block text-sm text-slate-700">
            {t("noteLabel")}
            <Textarea className="mt-1" rows={3} maxLength={500} value={note} onChange={(e) => setNote(e.target.value)} placeholder={t("notePlaceholder")} />
          </label>
          {error ? (
            <p className="text-sm text-red-600" role="alert">
              {error}
            </p>
          ) : null}
          <div className="flex justify-end gap-2">
            <Button variant="ghost" size="sm" onClick={() => setWriting(false)} disabled={busy}>
              {t("cancel")}
            </Button>
            <Button size="sm" onClick={() => void submit()} disabled={busy}>
              {t("submit")}
            </Button>
          </div>
        </div>
      ) : null}
    </section>
  );
}
