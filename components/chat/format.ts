import { formatDecimal } from "@/lib/core/format";

/** A weight (plan tokens per token × 1e6) as a short decimal: 570000 → "0.57". */
export function formatWeight(micro: string | bigint): string {
  const n = Number(micro) / 1e6;
  return formatDecimal(n, n < 0.01 ? 4 : 3);
}

/** A fresh idempotency key for one send. */
export function newRequestId(): string {
  return crypto.randomUUID().replace(/-/g, "");
}
