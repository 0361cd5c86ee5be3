"use client";
import { useQuery, useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { Check, ChevronDown, Users, Wallet } from "lucide-react";
import { getMyPayingWallet, setMyPayingWallet, type PayingWalletView } from "@/app/actions/family";
import { cn } from "@/lib/cn";

export const PAYING_WALLET_QUERY_KEY = ["family", "paying-wallet"] as const;

export function usePayingWallet() {
  return useQuery({
    queryKey: PAYING_WALLET_QUERY_KEY,
    queryFn: async (): Promise<PayingWalletView> => {
      const r = await getMyPayingWallet(undefined);
      if (!r.ok) throw new Error(r.code);
      return r.paying;
    },
    staleTime: 30_000,
    refetchOnWindowFocus: true,
  });
}

/**
 * Which wallet pays for the user's chats, for the chat header: "家庭共享 · 王芳" or "个人套餐".
 * Renders nothing for someone outside any family (their own wallet is the only choice). A member
 * with a plan of their own can switch here.
 */
export function PayingWalletChip({ className }: { className?: string }) {
  const t = useTranslations("family.paying");
  const qc = useQueryClient();
  const { data } = usePayingWallet();
  if (!data || data.role === null) return null;
  const family = data.kind === "family";
  const label = family
    ? data.familyOwnerName && data.role === "member"
      ? `${t("chipFamily")} · ${data.familyOwnerName}`
      : t("chipFamily")
    : t("chipPersonal");
  const chip = (
    <span
      className={cn(
        "inline-flex max-w-[12rem] items-center gap-1 rounded-full px-2.5 py-1 text-xs font-medium ring-1 ring-inset",
        family ? "bg-violet-50 text-violet-700 ring-violet-200" : "bg-slate-50 text-slate-700 ring-slate-200",
        className,
      )}
      data-testid="paying-wallet-chip"
      data-kind={data.kind}
    >
      {family ? <Users className="size-3.5 shrink-0" /> : <Wallet className="size-3.5 shrink-0" />}
      <span className="truncate">{label}</span>
      {data.canChoose ? <ChevronDown className="size-3 shrink-0" /> : null}
    </span>
  );
  if (!data.canChoose) return <span title={t("chipLabel")}>{chip}</span>;
  async function choose(paysFrom: "family" | "personal") {
    const r = await setMyPayingWallet({ paysFrom });
    if (r.ok) {
      await qc.invalidateQueries({ queryKey: PAYING_WALLET_QUERY_KEY });
      await qc.invalidateQueries({ queryKey: ["balance"] });
    }
  }
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger aria-label={t("chipLabel")} className="rounded-full focus-visible:outline-none focus-visible:ring-2 focus-visible:ring-brand-500">
        {chip}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="start" sideOffset={6} className="z-50 min-w-44 rounded-xl bg-white p-1 shadow-lg ring-1 ring-slate-200">
          <DropdownMenu.Label className="px-3 py-1.5 text-xs text-slate-500">{t("chipLabel")}</DropdownMenu.Label>
          {(["family", "personal"] as const).map((k) => (
            <DropdownMenu.Item
              key={k}
              onSelect={() => void choose(k)}
              className="flex cursor-pointer items-center gap-2 rounded-lg px-3 py-2 text-sm outline-none data-[highlighted]:bg-slate-100"
            >
              {k === "family" ? <Users className="size-4" /> : <Wallet className="size-4" />}
              <span className="flex-1">{k === "family" ? t("family") : t("personal")}</span>
              {data.kind === k ? <Check className="size-4 text-brand-600" /> : null}
            </DropdownMenu.Item>
          ))}
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
