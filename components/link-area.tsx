"use client";
import type { HTMLAttributes } from "react";
import { useDelegatedLinks } from "@/components/use-delegated-links";

/**
 * A block of server-rendered plain links that navigate in the app (see useDelegatedLinks): a list
 * of rows hydrates as markup instead of as a `<Link>` each.
 */
export function LinkArea(props: HTMLAttributes<HTMLDivElement>) {
  const links = useDelegatedLinks();
  return <div ref={links} {...props} />;
}
