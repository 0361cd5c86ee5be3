"use client";
import { useCallback } from "react";
import { useRouter } from "next/navigation";

/** The parts of a click that decide whether the app follows a link itself. */
export type LinkClick = {
  defaultPrevented: boolean;
  button: number;
  metaKey: boolean;
  ctrlKey: boolean;
  shiftKey: boolean;
  altKey: boolean;
  target: EventTarget | null;
};

/**
 * The in-app address a click inside `root` should navigate to, or null when the browser should
 * handle it: a modified or non-primary click (new tab, new window, download), a link with another
 * target or a download attribute, or one to another origin. A relative address is read against
 * the current page (`here`), as the browser would.
 */
export function inAppHref(e: LinkClick, root: Element, here: { origin: string; href: string }): string | null {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return null;
  const el = e.target as Element | null;
  const a = typeof el?.closest === "function" ? el.closest("a[href]") : null;
  if (!a || !root.contains(a)) return null;
  const target = a.getAttribute("target");
  if ((target && target !== "_self") || a.hasAttribute("download")) return null;
  const url = new URL(a.getAttribute("href") ?? "", here.href);
  if (url.origin !== here.origin) return null;
  return `${url.pathname}${url.search}${url.hash}`;
}

/**
 * A ref that gives the plain links inside an element the app's client-side navigation: one
 * listener for all of them instead of a `<Link>` each, so a long list of links hydrates as plain
 * markup. Like `<Link prefetch={false}>`, nothing is fetched before the tap; before the page is
 * interactive a tap is an ordinary page load.
 */
export function useDelegatedLinks() {
  const router = useRouter();
  return useCallback(
    (root: HTMLElement | null) => {
      if (!root) return;
      const onClick = (e: MouseEvent) => {
        const href = inAppHref(e, root, window.location);
        if (href === null) return;
        e.preventDefault();
        router.push(href);
      };
      // On the list itself, so it runs before React's handlers on the links (React listens at the
      // document): a link's own onClick cannot cancel the navigation, and none here needs to.
      root.addEventListener("click", onClick);
      // Says the links navigate in the app from now on (before this, a tap loads a new document).
      root.dataset.links = "app";
      return () => {
        root.removeEventListener("click", onClick);
        delete root.dataset.links;
      };
    },
    [router],
  );
}
