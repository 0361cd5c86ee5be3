"use client";
import { usePathname } from "next/navigation";

/**
 * The current path. Next types usePathname as nullable once a pages/ directory exists (here:
 * pages/api for the OpenAI-compatible API); under the App Router it is always set.
 */
export function useCurrentPath(): string {
  return usePathname() ?? "/";
}
