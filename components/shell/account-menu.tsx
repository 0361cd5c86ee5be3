"use client";
import * as DropdownMenu from "@radix-ui/react-dropdown-menu";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { LogOut, UserRound, Headset } from "lucide-react";
import { signOutAction } from "@/app/actions/session";
import { maskPhone } from "@/lib/core/format";

export function AccountMenu({ phone, name, role }: { phone: string; name: string | null; role: string }) {
  const t = useTranslations("common");
  return (
    <DropdownMenu.Root>
      <DropdownMenu.Trigger
        className="flex size-9 items-center justify-center rounded-full bg-slate-900 text-sm font-medium text-white"
        aria-label={t("account")}
        data-testid="account-menu"
      >
        {(name ? Array.from(name)[0] : undefined) ?? phone.slice(-1)}
      </DropdownMenu.Trigger>
      <DropdownMenu.Portal>
        <DropdownMenu.Content align="end" sideOffset={8} className="z-50 min-w-52 rounded-xl bg-white p-1 shadow-lg ring-1 ring-slate-200">
          <div className="px-3 py-2">
            <p className="text-sm font-medium">{name ?? maskPhone(phone)}</p>
            <p className="font-mono text-xs text-slate-500">{maskPhone(phone)}</p>
          </div>
          <DropdownMenu.Separator className="my-1 h-px bg-slate-100" />
          <DropdownMenu.Item asChild>
            <Link href="/settings" className="flex items-center gap-2 rounded-lg px-3 py-2 text-sm outline-none data-[highlighted]:bg-slate-100">
              <UserRound className="size-4" />
              {t("nav.settings")}
            </Link>
          </DropdownMenu.Item>
          {role === "support" ? (
            <DropdownMenu.Item asChild>
              <Link href="/support" className="flex items-center gap-2 rounded-lg px-3 py-2 text-sm outline-none data-[highlighted]:bg-slate-100">
                <Headset className="size-4" />
                {t("nav.support")}
              </Link>
            </DropdownMenu.Item>
          ) : null}
          <DropdownMenu.Item
            onSelect={() => void signOutAction()}
            className="flex cursor-pointer items-center gap-2 rounded-lg px-3 py-2 text-sm text-red-600 outline-none data-[highlighted]:bg-red-50"
          >
            <LogOut className="size-4" />
            {t("signOut")}
          </DropdownMenu.Item>
        </DropdownMenu.Content>
      </DropdownMenu.Portal>
    </DropdownMenu.Root>
  );
}
