"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useQueryClient } from "@tanstack/react-query";
import type { Failure } from "@/lib/core/errors";
import { useFailureText } from "@/components/use-failure-text";

type Result = { ok: true } | Failure;

/**
 * Runs a family server action: pending state, a translated error, and on success a refresh of
 * the page's server data and of the live balance.
 */
export function useFamilyAction() {
  const router = useRouter();
  const qc = useQueryClient();
  const errorText = useFailureText("family");
  const [pending, startTransition] = useTransition();
  const [error, setError] = useState<string | null>(null);
  function run<R extends Result>(call: () => Promise<R>, onOk?: (r: Extract<R, { ok: true }>) => void) {
    setError(null);
    startTransition(async () => {
      const r = await call();
      if (!r.ok) {
        setError(errorText(r as Failure));
        return;
      }
      onOk?.(r as Extract<R, { ok: true }>);
      void qc.invalidateQueries({ queryKey: ["balance"] });
      void qc.invalidateQueries({ queryKey: ["family"] });
      router.refresh();
    });
  }
  return { run, pending, error, setError };
}

/** Cap entry: the amount typed in the locale's unit (万 or K tokens) to whole tokens, as a string. */
export function capToTokens(value: string, factor: number): string | null {
  const v = value.trim();
  if (!/^\d{1,12}(\.\d{1,4})?$/.test(v)) return null;
  const [whole, frac = ""] = v.split(".");
  const scale = 10_000n;
  const units = BigInt(whole!) * scale + BigInt((frac + "0000").slice(0, 4));
  return ((units * BigInt(factor)) / scale).toString();
}

export function tokensToCap(tokens: string | null, factor: number): string {
  if (tokens === null) return "";
  const t = BigInt(tokens);
  const f = BigInt(factor);
  const whole = t / f;
  const rest = t % f;
  if (rest === 0n) return whole.toString();
  const frac = ((rest * 10_000n) / f).toString().padStart(4, "0").replace(/0+$/, "");
  return frac ? `${whole}.${frac}` : whole.toString();
}
