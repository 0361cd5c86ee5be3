"use client";
import { useLocale, useTranslations } from "next-intl";
import { Clock, ShieldCheck, Users } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Card } from "@/components/ui/card";
import { FieldError } from "@/components/ui/input";
import { formatTokens, type Locale } from "@/lib/core/format";
import { acceptFamilyInvitation, declineFamilyInvitation } from "@/app/actions/family";
import { useFamilyAction } from "./use-family-action";
import { hoursLeft } from "./pending-invitations";
import type { IncomingInvitationView } from "./types";

/** Invitations addressed to the signed-in user, to accept or decline. */
export function IncomingInvitations({ invitations }: { invitations: IncomingInvitationView[] }) {
  const t = useTranslations("family.invitations");
  const tm = useTranslations("family.members");
  const locale = useLocale() as Locale;
  const { run, pending, error } = useFamilyAction();
  if (invitations.length === 0) return null;
  return (
    <section className="mb-5 space-y-3" aria-label={t("title")}>
      {invitations.map((inv) => (
        <Card key={inv.id} className="overflow-hidden p-0 sm:p-0" data-testid="incoming-invitation">
          <div className="flex items-start gap-3 bg-gradient-to-br from-brand-50 to-white p-4 sm:p-5">
            <div className="flex size-11 shrink-0 items-center justify-center rounded-full bg-brand-600 text-white">
              <Users className="size-5" />
            </div>
            <div className="min-w-0 flex-1">
              <p className="font-semibold text-slate-900">{t("from", { name: inv.inviterName ?? inv.inviterPhone })}</p>
              <p className="mt-0.5 font-mono text-xs text-slate-500 tabular">{inv.inviterPhone}</p>
              <p className="mt-2 text-sm text-slate-600">{t("body")}</p>
              <div className="mt-2 flex flex-wrap gap-x-3 gap-y-1 text-xs text-slate-500">
                <span className="inline-flex items-center gap-1">
                  <Clock className="size-3" />
                  {t("expires", { hours: hoursLeft(inv.expiresAt) })}
                </span>
                <span className="inline-flex items-center gap-1">
                  <ShieldCheck className="size-3" />
                  {inv.capTokens === null ? tm("noCap") : `${formatTokens(BigInt(inv.capTokens), locale)} / ${locale === "zh-CN" ? "月" : "mo"}`}
                </span>
              </div>
            </div>
          </div>
          <div className="flex justify-end gap-2 border-t border-slate-100 px-4 py-3 sm:px-5">
            <Button variant="secondary" disabled={pending} onClick={() => run(() => declineFamilyInvitation({ invitationId: inv.id }))}>
              {t("decline")}
            </Button>
            <Button disabled={pending} onClick={() => run(() => acceptFamilyInvitation({ invitationId: inv.id }))}>
              {t("accept")}
            </Button>
          </div>
        </Card>
      ))}
      <FieldError>{error}</FieldError>
    </section>
  );
}
