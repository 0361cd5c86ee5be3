"use client";
import { useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { useQuery } from "@tanstack/react-query";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { BarChart3, Gauge, MoreHorizontal, Pause, Play, UserMinus } from "lucide-react";
import { Badge } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { FieldError } from "@/components/ui/input";
import { cn } from "@/lib/cn";
import { formatTokens, type Locale } from "@/lib/core/format";
import { getFamilyMemberUsage, removeFamilyMemberAction, setFamilyMemberCap, setFamilyMemberPaused } from "@/app/actions/family";
import { CapField } from "./cap-field";
import { UsageBreakdown } from "./usage-breakdown";
import { capToTokens, tokensToCap, useFamilyAction } from "./use-family-action";
import type { FamilyMemberView } from "./types";

/** What a family calls each other: the given name (小明, 芳) for Chinese names, else an initial. */
export function avatarText(name: string | null, phone: string): string {
  if (!name) return phone.slice(-2);
  if (/^[\u4e00-\u9fff]{2,4}$/.test(name)) return name.length >= 3 ? name.slice(-2) : name.slice(-1);
  return name.slice(0, 1).toUpperCase();
}

export function MemberAvatar({ name, phone, tone = "slate" }: { name: string | null; phone: string; tone?: "slate" | "brand" }) {
  return (
    <div
      className={cn(
        "flex size-10 shrink-0 items-center justify-center rounded-full text-sm font-medium",
        tone === "brand" ? "bg-brand-600 text-white" : "bg-violet-100 text-violet-700",
      )}
      aria-hidden
    >
      {avatarText(name, phone)}
    </div>
  );
}

/** Used of cap as a bar; without a cap, used as a share of the month's pool. */
export function SpendBar({ used, cap, pool }: { used: bigint; cap: bigint | null; pool?: bigint }) {
  const denom = cap ?? pool ?? 0n;
  const pct = denom > 0n ? Math.min(100, Number((used * 100n) / denom)) : used > 0n ? 100 : 0;
  const reached = cap !== null && used >= cap;
  return (
    <div className="h-1.5 overflow-hidden rounded-full bg-slate-100">
      <div
        className={cn("h-full rounded-full", reached ? "bg-red-500" : pct >= 80 && cap !== null ? "bg-amber-500" : "bg-brand-500")}
        style={{ width: `${used > 0n ? Math.max(pct, 2) : 0}%` }}
      />
    </div>
  );
}

type Dialogs = { kind: "cap" | "usage" | "remove"; member: FamilyMemberView } | null;

export function MemberList({ members, cycle, poolTotal }: { members: FamilyMemberView[]; cycle: string; poolTotal: string }) {
  const t = useTranslations("family.members");
  const locale = useLocale() as Locale;
  const [dialog, setDialog] = useState<Dialogs>(null);
  const { run, pending, error } = useFamilyAction();

  return (
    <>
      <ul className="divide-y divide-slate-100" data-testid="family-members">
        {members.map((m) => {
          const used = BigInt(m.used) + BigInt(m.held);
          const cap = m.capTokens === null ? null : BigInt(m.capTokens);
          const display = m.name ?? m.phone;
          return (
            <li key={m.userId} className="py-3.5 first:pt-1 last:pb-1" data-testid="family-member" data-name={display}>
              <div className="flex items-center gap-3">
                <MemberAvatar name={m.name} phone={m.phone} tone={m.role === "owner" ? "brand" : "slate"} />
                <div className="min-w-0 flex-1">
                  <div className="flex flex-wrap items-center gap-1.5">
                    <span className="truncate font-medium text-slate-900">{display}</span>
                    {m.isSelf ? <span className="text-xs text-slate-400">({t("you")})</span> : null}
                    {m.role === "owner" ? <Badge tone="brand">{t("owner")}</Badge> : null}
                    {m.paused ? <Badge tone="amber">{t("paused")}</Badge> : null}
                    {cap !== null && used >= cap ? <Badge tone="red">{t("capReached")}</Badge> : null}
                  </div>
                  {m.name ? <p className="font-mono text-xs text-slate-500 tabular">{m.phone}</p> : null}
                </div>
                <DropdownMenu.Root>
                  <DropdownMenu.Trigger asChild>
                    <Button variant="ghost" size="icon" aria-label={`${t("actions")} ${display}`} data-testid="member-actions">
                      <MoreHorizontal />
                    </Button>
                  </DropdownMenu.Trigger>
                  <DropdownMenu.Portal>
                    <DropdownMenu.Content align="end" sideOffset={4} className="z-50 min-w-44 rounded-xl bg-white p-1 shadow-lg ring-1 ring-slate-200">
                      <MenuItem icon={<BarChart3 />} onSelect={() => setDialog({ kind: "usage", member: m })}>
                        {t("usage")}
                      </MenuItem>
                      {m.role === "member" ? (
                        <>
                          <MenuItem icon={<Gauge />} onSelect={() => setDialog({ kind: "cap", member: m })}>
                            {t("setCap")}
                          </MenuItem>
                          <MenuItem
                            icon={m.paused ? <Play /> : <Pause />}
                            onSelect={() => run(() => setFamilyMemberPaused({ memberUserId: m.userId, paused: !m.paused }))}
                          >
                            {m.paused ? t("resume") : t("pause")}
                          </MenuItem>
                          <DropdownMenu.Separator className="my-1 h-px bg-slate-100" />
                          <MenuItem icon={<UserMinus />} danger onSelect={() => setDialog({ kind: "remove", member: m })}>
                            {t("remove")}
                          </MenuItem>
                        </>
                      ) : null}
                    </DropdownMenu.Content>
                  </DropdownMenu.Portal>
                </DropdownMenu.Root>
              </div>
              <div className="mt-2.5 pl-[3.25rem]">
                <SpendBar used={used} cap={cap} pool={BigInt(poolTotal)} />
                <p className="mt-1 text-xs text-slate-500 tabular" data-testid="member-spend">
                  {cap === null
                    ? `${t("usedNoCap", { used: formatTokens(used, locale) })} · ${t("noCap")}`
                    : t("usedOfCap", { used: formatTokens(used, locale), cap: formatTokens(cap, locale) })}
                </p>
              </div>
            </li>
          );
        })}
      </ul>
      {error ? <FieldError>{error}</FieldError> : null}
      {pending ? <span className="sr-only">…</span> : null}
      {dialog?.kind === "cap" ? <CapDialog member={dialog.member} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === "remove" ? <RemoveDialog member={dialog.member} onClose={() => setDialog(null)} /> : null}
      {dialog?.kind === "usage" ? <UsageDialog member={dialog.member} cycle={cycle} onClose={() => setDialog(null)} /> : null}
    </>
  );
}

function MenuItem({ icon, children, onSelect, danger }: { icon: React.ReactNode; children: React.ReactNode; onSelect: () => void; danger?: boolean }) {
  return (
    <DropdownMenu.Item
      onSelect={onSelect}
      className={cn(
        "flex cursor-pointer items-center gap-2 rounded-lg px-3 py-2 text-sm outline-none [&_svg]:size-4",
        danger ? "text-red-600 data-[highlighted]:bg-red-50" : "text-slate-700 data-[highlighted]:bg-slate-100",
      )}
    >
      {icon}
      {children}
    </DropdownMenu.Item>
  );
}

function CapDialog({ member, onClose }: { member: FamilyMemberView; onClose: () => void }) {
  const t = useTranslations("family.cap");
  const tc = useTranslations("common");
  const factor = Number(t("unitFactor"));
  const [value, setValue] = useState(tokensToCap(member.capTokens, factor));
  const { run, pending, error } = useFamilyAction();
  const tokens = value.trim() === "" ? null : capToTokens(value, factor);
  return (
    <Dialog open onOpenChange={(o) => (o ? null : onClose())}>
      <DialogContent title={t("title", { name: member.name ?? member.phone })} description={t("description")}>
        <form
          className="space-y-4"
          onSubmit={(e) => {
            e.preventDefault();
            if (value.trim() !== "" && tokens === null) return;
            run(() => setFamilyMemberCap({ memberUserId: member.userId, capTokens: tokens }), onClose);
          }}
        >
          <CapField id="member-cap" label={t("label")} value={value} onChange={setValue} />
          <FieldError>{error}</FieldError>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={onClose}>
              {tc("cancel")}
            </Button>
            <Button type="submit" disabled={pending}>
              {t("save")}
            </Button>
          </div>
        </form>
      </DialogContent>
    </Dialog>
  );
}

function RemoveDialog({ member, onClose }: { member: FamilyMemberView; onClose: () => void }) {
  const t = useTranslations("family.remove");
  const tc = useTranslations("common");
  const { run, pending, error } = useFamilyAction();
  return (
    <Dialog open onOpenChange={(o) => (o ? null : onClose())}>
      <DialogContent title={t("title", { name: member.name ?? member.phone })} description={t("description")}>
        <FieldError>{error}</FieldError>
        <div className="mt-2 flex justify-end gap-2">
          <Button type="button" variant="secondary" onClick={onClose}>
            {tc("cancel")}
          </Button>
          <Button
            type="button"
            variant="danger"
            disabled={pending}
            onClick={() => run(() => removeFamilyMemberAction({ memberUserId: member.userId }), onClose)}
          >
            {t("confirm")}
          </Button>
        </div>
      </DialogContent>
    </Dialog>
  );
}

function UsageDialog({ member, cycle, onClose }: { member: FamilyMemberView; cycle: string; onClose: () => void }) {
  const t = useTranslations("family.usage");
  const q = useQuery({
    queryKey: ["family", "usage", member.userId, cycle],
    queryFn: async () => {
      const r = await getFamilyMemberUsage({ memberUserId: member.userId, cycle });
      if (!r.ok) throw new Error(r.code);
      return r.usage;
    },
  });
  return (
    <Dialog open onOpenChange={(o) => (o ? null : onClose())}>
      <DialogContent title={t("title", { name: member.name ?? member.phone })} description={t("description", { cycle })}>
        <UsageBreakdown usage={q.data} cycle={cycle} loading={q.isLoading} />
      </DialogContent>
    </Dialog>
  );
}
