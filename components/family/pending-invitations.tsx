"use client";
import { useLocale, useTranslations } from "next-intl";
import { Clock, Send } from "lucide-react";
import { Button } from "@/components/ui/button";
import { FieldError } from "@/components/ui/input";
import { formatTokens, type Locale } from "@/lib/core/format";
import { revokeFamilyInvitation } from "@/app/actions/family";
import { useFamilyAction } from "./use-family-action";
import type { PendingInvitationView } from "./types";

export function hoursLeft(expiresAt: string, now = Date.now()): number {
  return Math.max(0, Math.ceil((new Date(expiresAt).getTime() - now) / 3_600_000));
}

/** The owner's open invitations, each with the time left and a withdraw button. */
export function PendingInvitations({ invitations }: { invitations: PendingInvitationView[] }) {
  const t = useTranslations("family.pending");
  const tm = useTranslations("family.members");
  const locale = useLocale() as Locale;
  const { run, pending, error } = useFamilyAction();
  return (
    <>
      <ul className="divide-y divide-slate-100" data-testid="pending-invitations">
        {invitations.map((inv) => {
          const h = hoursLeft(inv.expiresAt);
          return (
            <li key={inv.id} className="flex items-center gap-3 py-3 first:pt-1 last:pb-1" data-testid="pending-invitation">
              <div className="flex size-10 shrink-0 items-center justify-center rounded-full bg-amber-50 text-amber-600">
                <Send className="size-4" />
              </div>
              <div className="min-w-0 flex-1">
                <p className="font-mono text-sm font-medium text-slate-900 tabular">{inv.phone}</p>
                <p className="flex items-center gap-1 text-xs text-slate-500">
                  <Clock className="size-3" />
                  {h <= 1 ? t("expiresSoon") : t("expiresIn", { hours: h })}
                  <span aria-hidden>·</span>
                  {inv.capTokens === null ? tm("noCap") : formatTokens(BigInt(inv.capTokens), locale)}
                </p>
              </div>
              <Button variant="secondary" size="sm" disabled={pending} onClick={() => run(() => revokeFamilyInvitation({ invitationId: inv.id }))}>
                {t("revoke")}
              </Button>
            </li>
          );
        })}
      </ul>
      <FieldError>{error}</FieldError>
    </>
  );
}
