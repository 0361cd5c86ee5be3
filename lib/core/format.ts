/** How people read money and token counts: ¥39.90, ¥39.9/月, 1500万 tokens, 15M tokens. */
export type Locale = "zh-CN" | "en";

function trim(n: number, digits: number): string {
  return n
    .toFixed(digits)
    .replace(/\.0+$/, "")
    .replace(/(\.\d*?)0+$/, "$1");
}

/** Token counts: zh uses 万/亿, en uses K/M/B. Exact below 10,000. */
export function formatTokens(value: bigint | number, locale: Locale = "zh-CN"): string {
  const n = typeof value === "bigint" ? Number(value) : value;
  const sign = n < 0 ? "-" : "";
  const a = Math.abs(n);
  if (locale === "zh-CN") {
    if (a >= 1e8) return `${sign}${trim(a / 1e8, 2)}亿`;
    if (a >= 1e4) return `${sign}${trim(a / 1e4, a >= 1e6 ? 0 : 1)}万`;
    return `${sign}${a.toLocaleString("zh-CN")}`;
  }
  if (a >= 1e9) return `${sign}${trim(a / 1e9, 2)}B`;
  if (a >= 1e6) return `${sign}${trim(a / 1e6, 2)}M`;
  if (a >= 1e4) return `${sign}${trim(a / 1e3, 1)}K`;
  return `${sign}${a.toLocaleString("en-US")}`;
}

/** Exact integer with grouping: 1,234 tokens. */
export function formatInt(value: bigint | number, locale: Locale = "zh-CN"): string {
  return typeof value === "bigint"
    ? value.toLocaleString(locale === "zh-CN" ? "zh-CN" : "en-US")
    : Math.round(value).toLocaleString(locale === "zh-CN" ? "zh-CN" : "en-US");
}

/** Integer fen as yuan with two decimals: 3990n -> "¥39.90". */
export function formatYuan(fen: bigint | number): string {
  const f = typeof fen === "bigint" ? fen : BigInt(Math.round(fen));
  const neg = f < 0n;
  const abs = neg ? -f : f;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${neg ? "-" : ""}¥${yuan.toLocaleString("en-US")}.${cents}`;
}

/** A plan price the way carriers print it: 3990n -> "¥39.9/月" (zh) or "¥39.9/mo" (en). */
export function formatMonthlyPrice(fen: bigint | number, locale: Locale = "zh-CN"): string {
  const f = typeof fen === "bigint" ? Number(fen) : fen;
  const s = trim(f / 100, 2);
  return `¥${s}${locale === "zh-CN" ? "/月" : "/mo"}`;
}

/** Masks a mainland mobile number: 13800000001 -> 138****0001. */
export function maskPhone(phone: string): string {
  return phone.length === 11 ? `${phone.slice(0, 3)}****${phone.slice(7)}` : phone;
}
