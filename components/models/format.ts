import { formatDecimal } from "@/lib/core/format";

/** Plan tokens per 1K upstream tokens from a weight (× 1e6): 570000n -> "570", 20000n -> "20", 1250n -> "1.25". */
export function formatPer1K(weightMicro: bigint | number): string {
  // zh-CN and en-US write decimals alike (1,234.5).
  const v = Number(weightMicro) / 1000;
  return formatDecimal(v, v < 10 ? 2 : v < 100 ? 1 : 0);
}

/** Context lengths the way model cards print them: 128K, 1M, 200K. */
export function formatContext(tokens: number): string {
  if (!tokens) return "—";
  if (tokens >= 1_000_000) return `${(tokens / 1_000_000).toFixed(1).replace(/\.0$/, "")}M`;
  // 128000 and 131072 both read "128K".
  if (tokens >= 1000) return `${Math.round(tokens / (tokens % 1000 === 0 || tokens % 1024 !== 0 ? 1000 : 1024))}K`;
  return String(tokens);
}

/** USD per 1M: $0.57, $15, $0.075. */
export function formatUsd(v: number): string {
  return `$${formatDecimal(v, v < 1 ? 3 : 2)}`;
}
