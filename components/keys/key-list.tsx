"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { KeyRound } from "lucide-react";
import { Dialog, DialogClose, DialogContent, DialogTrigger } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { Badge, Card, EmptyState } from "@/components/ui/card";
import { FieldError } from "@/components/ui/input";
import { cn } from "@/lib/cn";
import { revokeKey } from "@/app/actions/keys";
import type { KeyView } from "./types";
import { useFailureText } from "@/components/use-failure-text";

function RevokeButton({ k }: { k: KeyView }) {
  const t = useTranslations("keys");
  const router = useRouter();
  const errorText = useFailureText("keys");
  const [open, setOpen] = useState(false);
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  return (
    <Dialog open={open} onOpenChange={setOpen}>
      <DialogTrigger asChild>
        <Button size="sm" variant="ghost" className="text-red-600 hover:bg-red-50" data-testid={`revoke-${k.id}`}>
          {t("revoke")}
        </Button>
      </DialogTrigger>
      <DialogContent title={t("revokeTitle")} description={t("revokeHint", { name: k.name })}>
        <FieldError>{error}</FieldError>
        <div className="mt-2 flex gap-2 sm:justify-end">
          <DialogClose asChild>
            <Button variant="secondary" className="flex-1 sm:flex-none">
              {t("revokeCancel")}
            </Button>
          </DialogClose>
          <Button
            variant="danger"
            className="flex-1 sm:flex-none"
            disabled={pending}
            onClick={() =>
              startTransition(async () => {
                const r = await revokeKey({ keyId: k.id });
                if (!r.ok) return setError(errorText(r));
                setOpen(false);
                router.refresh();
              })
            }
          >
            {t("revokeConfirm")}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}

export function KeyList({ keys }: { keys: KeyView[] }) {
  const t = useTranslations("keys");
  if (keys.length === 0) return <EmptyState icon={<KeyRound className="size-8" />} title={t("empty")} hint={t("emptyHint")} />;
  return (
    <ul className="space-y-3" data-testid="key-list">
      {keys.map((k) => (
        <li key={k.id}>
          <Card className={cn("space-y-3", k.status !== "active" && "opacity-70")} data-testid="key-card">
            <div className="flex items-start justify-between gap-3">
              <div className="min-w-0">
                <div className="flex flex-wrap items-center gap-2">
                  <h3 className="truncate font-medium text-slate-900">{k.name}</h3>
                  <Badge tone={k.status === "active" ? "green" : k.status === "revoked" ? "red" : "amber"}>{t(`status.${k.status}`)}</Badge>
                </div>
                <p className="mt-0.5 font-mono text-xs text-slate-500">{k.display}</p>
              </div>
              {k.status === "active" ? <RevokeButton k={k} /> : null}
            </div>
            <div>
              <div className="flex items-baseline justify-between text-sm">
                <span className="text-slate-500">{t("usageThisMonth")}</span>
                <span className="tabular font-medium text-slate-900">{k.capLabel ? t("usageOfCap", { used: k.usedLabel, cap: k.capLabel }) : k.usedLabel}</span>
              </div>
              {k.capPct !== null ? (
                <div
                  className="mt-1.5 h-1.5 overflow-hidden rounded-full bg-slate-100"
                  role="progressbar"
                  aria-valuenow={k.capPct}
                  aria-valuemin={0}
                  aria-valuemax={100}
                >
                  <div
                    className={cn("h-full rounded-full", k.capPct >= 90 ? "bg-red-500" : k.capPct >= 70 ? "bg-amber-500" : "bg-brand-500")}
                    style={{ width: `${k.capPct}%` }}
                  />
                </div>
              ) : null}
            </div>
            <div className="flex flex-wrap gap-x-4 gap-y-1 text-xs text-slate-500">
              <span>{k.lastUsedLabel ? t("lastUsed", { date: k.lastUsedLabel }) : t("neverUsed")}</span>
              <span>{t("requests", { count: k.requests })}</span>
              <span>{t("created", { date: k.createdLabel })}</span>
              {k.expiresLabel ? <span>{t("expires", { date: k.expiresLabel })}</span> : null}
              <span className="truncate">{k.models ? t("onlyModels", { models: k.models.join(", ") }) : t("allModels")}</span>
            </div>
          </Card>
        </li>
      ))}
    </ul>
  );
}
