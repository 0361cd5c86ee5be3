"use client";
import Link from "next/link";
import { useCurrentPath } from "@/components/use-current-path";
import { useTranslations } from "next-intl";
import { Search, ShieldCheck, ScrollText, Ticket } from "lucide-react";
import { cn } from "@/lib/cn";

const items = [
  { href: "/support", key: "lookup", icon: Search, exact: true },
  { href: "/support/approvals", key: "approvals", icon: ShieldCheck, exact: false },
  { href: "/support/disputes", key: "disputes", icon: Ticket, exact: false },
  { href: "/support/audit", key: "audit", icon: ScrollText, exact: false },
] as const;

/** The console's sections; account pages count as part of lookup. */
export function StaffNav({ pending }: { pending: number }) {
  const t = useTranslations("support.nav");
  const ta = useTranslations("common.a11y");
  const pathname = useCurrentPath();
  const isActive = (href: string, exact: boolean) =>
    exact ? pathname === href || pathname.startsWith("/support/accounts") : pathname === href || pathname.startsWith(`${href}/`);
  return (
    <nav aria-label={ta("staffNav")} className="flex gap-1 overflow-x-auto">
      {items.map(({ href, key, icon: Icon, exact }) => (
        <Link
          prefetch={false}
          key={href}
          href={href}
          aria-current={isActive(href, exact) ? "page" : undefined}
          className={cn(
            "flex shrink-0 items-center gap-2 rounded-lg px-3 py-1.5 text-sm font-medium text-slate-300 hover:bg-white/10 hover:text-white",
            isActive(href, exact) && "bg-white/15 text-white",
          )}
        >
          <Icon className="size-4" />
          {t(key)}
          {key === "approvals" && pending > 0 ? (
            <span className="rounded-full bg-amber-400 px-1.5 text-[11px] font-semibold leading-4 text-slate-900 tabular-nums" data-testid="pending-approvals">
              {pending}
            </span>
          ) : null}
        </Link>
      ))}
    </nav>
  );
}
