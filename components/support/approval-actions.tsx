"use client";
import { useTranslations } from "next-intl";
import { Check, X } from "lucide-react";
import { Button } from "@/components/ui/button";
import { decideApprovalAction } from "@/app/actions/support";
import { ActionDialog } from "./action-dialog";

/**
 * Approve / reject a large credit; the requester sees why they cannot decide their own, and a
 * staff member who would benefit from the credit may only reject it.
 */
export function ApprovalActions({ approvalId, own, beneficiary = false }: { approvalId: string; own: boolean; beneficiary?: boolean }) {
  const t = useTranslations("support");
  if (own) return <p className="text-xs text-slate-500">{t("approvals.ownRequest")}</p>;
  return (
    <div className="flex flex-wrap items-center gap-2">
      {beneficiary ? <p className="text-xs text-slate-500">{t("approvals.beneficiary")}</p> : null}
      {beneficiary ? null : (
        <ActionDialog
          trigger={
            <Button size="sm">
              <Check />
              {t("approvals.approve")}
            </Button>
          }
          title={t("action.approveTitle")}
          onSubmit={(f) => decideApprovalAction({ approvalId, decision: "approve", ...f })}
        />
      )}
      <ActionDialog
        danger
        trigger={
          <Button size="sm" variant="secondary">
            <X />
            {t("approvals.reject")}
          </Button>
        }
        title={t("action.rejectTitle")}
        onSubmit={(f) => decideApprovalAction({ approvalId, decision: "reject", ...f })}
      />
    </div>
  );
}
