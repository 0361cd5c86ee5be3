"use client";
import { useId, useRef, useTransition } from "react";
import { useTranslations } from "next-intl";
import Link from "next/link";
import { LogOut, UserRound, Headset } from "lucide-react";
import { signOutAction } from "@/app/actions/session";
import { maskPhone } from "@/lib/core/format";

const ITEM = "flex w-full items-center gap-2 rounded-lg px-3 py-2 text-left text-sm outline-none";

/**
 * The account menu on the browser's own popover (top layer, light dismiss, Escape): no menu
 * library on every signed-in page. Arrow keys move between items, as in a menu.
 */
export function AccountMenu({ phone, name, role }: { phone: string; name: string | null; role: string }) {
  const t = useTranslations("common");
  const id = useId();
  const menu = useRef<HTMLDivElement>(null);
  const [pending, start] = useTransition();
  const items = () => [...(menu.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
  const close = () => menu.current?.hidePopover();
  return (
    <>
      <button
        type="button"
        popoverTarget={id}
        aria-haspopup="menu"
        // Below the button wherever the header sits (a demo banner moves it): read once per tap,
        // before the popover opens (its toggle is the click's default action).
        onClick={(e) => {
          const r = e.currentTarget.getBoundingClientRect();
          menu.current?.style.setProperty("top", `${r.bottom + 8}px`);
          menu.current?.style.setProperty("right", `${Math.max(8, window.innerWidth - r.right)}px`);
        }}
        className="flex size-9 items-center justify-center rounded-full bg-slate-900 text-sm font-medium text-white"
        aria-label={t("account")}
        data-testid="account-menu"
      >
        {(name ? Array.from(name)[0] : undefined) ?? phone.slice(-1)}
      </button>
      <div
        ref={menu}
        id={id}
        popover="auto"
        role="menu"
        aria-label={t("account")}
        onToggle={(e) => {
          if ((e as unknown as ToggleEvent).newState === "open") items()[0]?.focus();
        }}
        onKeyDown={(e) => {
          if (e.key !== "ArrowDown" && e.key !== "ArrowUp") return;
          e.preventDefault();
          const all = items();
          const i = all.indexOf(document.activeElement as HTMLElement);
          all[(i + (e.key === "ArrowDown" ? 1 : all.length - 1)) % all.length]?.focus();
        }}
        className="fixed inset-auto top-14 right-2 m-0 min-w-52 rounded-xl bg-white p-1 text-slate-900 shadow-lg ring-1 ring-slate-200"
      >
        <div className="px-3 py-2">
          <p className="text-sm font-medium">{name ?? maskPhone(phone)}</p>
          <p className="font-mono text-xs text-slate-600">{maskPhone(phone)}</p>
        </div>
        <div role="separator" className="my-1 h-px bg-slate-100" />
        <Link prefetch={false} href="/settings" role="menuitem" onClick={close} className={`${ITEM} hover:bg-slate-100 focus:bg-slate-100`}>
          <UserRound className="size-4" />
          {t("nav.settings")}
        </Link>
        {role === "support" ? (
          <Link prefetch={false} href="/support" role="menuitem" onClick={close} className={`${ITEM} hover:bg-slate-100 focus:bg-slate-100`}>
            <Headset className="size-4" />
            {t("nav.support")}
          </Link>
        ) : null}
        <button
          type="button"
          role="menuitem"
          disabled={pending}
          onClick={() => start(() => signOutAction())}
          className={`${ITEM} cursor-pointer text-red-600 hover:bg-red-50 focus:bg-red-50`}
        >
          <LogOut className="size-4" />
          {t("signOut")}
        </button>
      </div>
    </>
  );
}
