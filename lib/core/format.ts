/** How people read money and token counts: ¥39.90, ¥39.9/月, 1500万 tokens, 15M tokens. */
export type Locale = "zh-CN" | "en";

// Whole numbers are grouped by hand: zh-CN and en-US both write 1,234,567, and
// Intl.NumberFormat's format costs a phone's renderer far more per call than this (a 200-message
// conversation's costs took tens of milliseconds of its first render). Fractions go to Intl, one
// formatter per locale (`toLocaleString` would build a new one on every call).
const groupers = new Map<string, Intl.NumberFormat>();
function grouped(value: bigint | number, locale: "zh-CN" | "en-US"): string {
  if (typeof value === "bigint" || Number.isSafeInteger(value)) {
    const digits = String(value);
    const sign = digits.startsWith("-") ? "-" : "";
    const abs = sign ? digits.slice(1) : digits;
    if (abs.length <= 3) return digits;
    let out = abs.slice(0, abs.length % 3 || 3);
    for (let i = out.length; i < abs.length; i += 3) out += `,${abs.slice(i, i + 3)}`;
    return sign + out;
  }
  let f = groupers.get(locale);
  if (!f) groupers.set(locale, (f = new Intl.NumberFormat(locale)));
  return f.format(value);
}

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
    return `${sign}${grouped(a, "zh-CN")}`;
  }
  if (a >= 1e9) return `${sign}${trim(a / 1e9, 2)}B`;
  if (a >= 1e6) return `${sign}${trim(a / 1e6, 2)}M`;
  if (a >= 1e4) return `${sign}${trim(a / 1e3, 1)}K`;
  return `${sign}${grouped(a, "en-US")}`;
}

/**
 * A decimal with at most `digits` fraction digits and grouping, as Intl.NumberFormat writes it in
 * zh-CN and en-US: rounded half away from zero on the number's shortest decimal form (0.00045 to
 * four digits is 0.0005), no trailing zeros: 1234.5678, 2 -> "1,234.57".
 */
export function formatDecimal(value: number, digits: number): string {
  if (!Number.isFinite(value) || Math.abs(value) >= 1e21) return grouped(value, "en-US");
  const [mantissa = "0", exp = "0"] = String(Math.abs(value)).split("e");
  const [int = "0", fraction = ""] = mantissa.split(".");
  let all = int + fraction;
  let point = int.length + Number(exp);
  if (point <= 0) {
    all = "0".repeat(1 - point) + all;
    point = 1;
  }
  if (point > all.length) all = all.padEnd(point, "0");
  const keep = point + digits;
  let kept = all.slice(0, keep);
  if (all.length > keep && all.charCodeAt(keep) >= 53 /* "5" */) {
    const up = (BigInt(kept) + 1n).toString().padStart(keep, "0");
    point += up.length - keep;
    kept = up;
  }
  const whole = kept.slice(0, point).replace(/^0+(?=\d)/, "");
  const shown = kept.slice(point).replace(/0+$/, "");
  const sign = value < 0 && (/[1-9]/.test(whole) || shown) ? "-" : "";
  return `${sign}${grouped(BigInt(whole), "en-US")}${shown ? `.${shown}` : ""}`;
}

/** Exact integer with grouping: 1,234 tokens. */
export function formatInt(value: bigint | number, locale: Locale = "zh-CN"): string {
  return grouped(typeof value === "bigint" ? value : Math.round(value), locale === "zh-CN" ? "zh-CN" : "en-US");
}

/** Integer fen as yuan with two decimals: 3990n -> "¥39.90". */
export function formatYuan(fen: bigint | number): string {
  const f = typeof fen === "bigint" ? fen : BigInt(Math.round(fen));
  const neg = f < 0n;
  const abs = neg ? -f : f;
  const yuan = abs / 100n;
  const cents = (abs % 100n).toString().padStart(2, "0");
  return `${neg ? "-" : ""}¥${grouped(yuan, "en-US")}.${cents}`;
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

/**
 * A balance with enough digits to see one reply's cost move it, never rounded up: zh in 万 with
 * two decimals (1549.96万 = 15,499,600 tokens, a step of 100 tokens), en in M with four
 * (15.4996M); below 10,000 the exact count. Truncated toward zero, so it never shows more than is there.
 */
export function formatBalance(value: bigint, locale: Locale = "zh-CN"): string {
  const neg = value < 0n;
  const a = neg ? -value : value;
  const sign = neg ? "-" : "";
  if (a < 10_000n) return `${sign}${grouped(a, locale === "zh-CN" ? "zh-CN" : "en-US")}`;
  if (locale === "zh-CN") {
    const hundreds = a / 100n;
    return `${sign}${hundreds / 100n}.${(hundreds % 100n).toString().padStart(2, "0")}万`;
  }
  if (a < 1_000_000n) {
    const tens = a / 10n;
    return `${sign}${tens / 100n}.${(tens % 100n).toString().padStart(2, "0")}K`;
  }
  const hundreds = a / 100n;
  return `${sign}${hundreds / 10_000n}.${(hundreds % 10_000n).toString().padStart(4, "0")}M`;
}
