"use client";
import { useCurrentPath } from "@/components/use-current-path";
import { useTranslations } from "next-intl";
import { MessageSquare, Store, Package, Receipt, Users, KeyRound, UserRound, Sparkles } from "lucide-react";
import { useDelegatedLinks } from "@/components/use-delegated-links";

const items = [
  { href: "/chat", key: "chat", icon: MessageSquare, mobile: true },
  { href: "/models", key: "models", icon: Store, mobile: true },
  { href: "/assistants", key: "assistants", icon: Sparkles, mobile: false },
  { href: "/plans", key: "plans", icon: Package, mobile: true },
  { href: "/bills", key: "bills", icon: Receipt, mobile: true },
  { href: "/family", key: "family", icon: Users, mobile: false },
  { href: "/keys", key: "keys", icon: KeyRound, mobile: false },
  { href: "/settings", key: "settings", icon: UserRound, mobile: true },
] as const;

// Plain links with one click listener per menu (useDelegatedLinks) rather than a <Link> each: the
// menus are on every signed-in page and hydrate as markup. Nothing is prefetched: the app's pages
// render per request (session, CSP nonce), so a prefetch brings little more than the route tree,
// while each link in view would fire two requests as the page hydrates. Navigation fetches on tap.
function useActive() {
  const pathname = useCurrentPath();
  return (href: string) => pathname === href || pathname.startsWith(`${href}/`);
}

export function SideNav() {
  const t = useTranslations("common.nav");
  const ta = useTranslations("common.a11y");
  const active = useActive();
  const links = useDelegatedLinks();
  return (
    <nav ref={links} aria-label={ta("mainNav")} className="flex flex-col gap-1">
      {items.map(({ href, key, icon: Icon }) => (
        <a
          key={href}
          href={href}
          aria-current={active(href) ? "page" : undefined}
          className={`flex items-center gap-3 rounded-xl px-3 py-2 text-sm font-medium ${
            active(href) ? "bg-brand-50 text-brand-700" : "text-slate-600 hover:bg-slate-100 hover:text-slate-900"
          }`}
        >
          <Icon className="size-5" />
          {t(key)}
        </a>
      ))}
    </nav>
  );
}

export function BottomNav() {
  const t = useTranslations("common.nav");
  const ta = useTranslations("common.a11y");
  const active = useActive();
  const links = useDelegatedLinks();
  return (
    <nav
      ref={links}
      aria-label={ta("bottomNav")}
      data-bottom-nav
      className="fixed inset-x-0 bottom-0 z-40 border-t border-slate-200 bg-white/95 pb-[var(--safe-bottom)] backdrop-blur lg:hidden"
    >
      <ul className="mx-auto grid max-w-lg grid-cols-5">
        {items
          .filter((i) => i.mobile)
          .map(({ href, key, icon: Icon }) => (
            <li key={href}>
              <a
                href={href}
                aria-current={active(href) ? "page" : undefined}
                className={`flex flex-col items-center gap-0.5 py-2 text-[11px] ${active(href) ? "text-brand-600" : "text-slate-500"}`}
              >
                <Icon className="size-5" />
                {t(key)}
              </a>
            </li>
          ))}
      </ul>
    </nav>
  );
}
