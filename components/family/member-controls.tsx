"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { LogOut, Users, Wallet } from "lucide-react";
import { useQuery } from "@tanstack/react-query";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/input";
import { cn } from "@/lib/cn";
import { getMyFamilyUsage, leaveFamilyAction, setMyPayingWallet } from "@/app/actions/family";
import { UsageBreakdown } from "./usage-breakdown";
import { useFamilyAction } from "./use-family-action";

export function LeaveFamilyButton() {
  const t = useTranslations("family.member");
  const tc = useTranslations("common");
  const [open, setOpen] = useState(false);
  const { run, pending, error } = useFamilyAction();
  return (
    <>
      <Button variant="ghost" className="text-red-600 hover:bg-red-50" onClick={() => setOpen(true)}>
        <LogOut />
        {t("leave")}
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={t("leaveTitle")} description={t("leaveDescription")}>
          <FieldError>{error}</FieldError>
          <div className="mt-2 flex justify-end gap-2">
            <Button variant="secondary" onClick={() => setOpen(false)}>
              {tc("cancel")}
            </Button>
            <Button
              variant="danger"
              disabled={pending}
              onClick={() =>
                run(
                  () => leaveFamilyAction({}),
                  () => setOpen(false),
                )
              }
            >
              {t("leaveConfirm")}
            </Button>
          </div>
        </DialogContent>
      </Dialog>
    </>
  );
}

/** For a member with a plan of their own: which wallet pays for their chats. */
export function PayingPreference({ paysFrom, ownerName }: { paysFrom: "family" | "personal"; ownerName: string }) {
  const t = useTranslations("family.paying");
  const { run, pending, error } = useFamilyAction();
  const options = [
    { value: "family" as const, label: t("family"), hint: t("familyOf", { name: ownerName }), icon: Users },
    { value: "personal" as const, label: t("personal"), hint: null, icon: Wallet },
  ];
  return (
    <div>
      <div role="radiogroup" aria-label={t("title")} className="grid grid-cols-2 gap-2">
        {options.map((o) => (
          <button
            key={o.value}
            type="button"
            role="radio"
            aria-checked={paysFrom === o.value}
            disabled={pending}
            onClick={() => paysFrom !== o.value && run(() => setMyPayingWallet({ paysFrom: o.value }))}
            className={cn(
              "flex items-center gap-2 rounded-xl px-3 py-2.5 text-left ring-1 ring-inset transition-colors",
              paysFrom === o.value ? "bg-brand-50 text-brand-800 ring-brand-500" : "bg-white text-slate-700 ring-slate-200 hover:bg-slate-50",
            )}
          >
            <o.icon className="size-4 shrink-0" />
            <span className="min-w-0">
              <span className="block text-sm font-medium">{o.label}</span>
              {o.hint ? <span className="block truncate text-xs opacity-70">{o.hint}</span> : null}
            </span>
          </button>
        ))}
      </div>
      <FieldError>{error}</FieldError>
    </div>
  );
}

export function MyFamilyUsage({ cycle }: { cycle: string }) {
  const q = useQuery({
    queryKey: ["family", "my-usage", cycle],
    queryFn: async () => {
      const r = await getMyFamilyUsage({ cycle });
      if (!r.ok) throw new Error(r.code);
      return r.usage;
    },
  });
  return <UsageBreakdown usage={q.data} cycle={cycle} loading={q.isLoading} />;
}
