import { formatTokens, type Locale } from "@/lib/core/format";

// Rendered on the server as plain HTML and SVG: a bill page ships no chart library. Each bar and
// slice names its value in a tooltip (title).

const COLORS = ["#4f46e5", "#0284c7", "#059669", "#d97706", "#dc2626", "#7c3aed", "#64748b"];

/** A round axis top at or above `max`: 1, 2 or 5 times a power of ten. */
function niceTop(max: number): number {
  if (max <= 0) return 1;
  const p = 10 ** Math.floor(Math.log10(max));
  return [1, 2, 5, 10].map((m) => m * p).find((v) => v >= max)!;
}

/** Plan tokens per day of the cycle. Values arrive as strings (bigints over the wire). */
export function DailyChart({ data, locale }: { data: { day: string; planTokens: string }[]; locale: Locale }) {
  const rows = data.map((d) => ({ day: Number(d.day.slice(8)), value: Number(d.planTokens) }));
  const top = niceTop(Math.max(0, ...rows.map((r) => r.value)));
  const ticks = [top, top / 2, 0];
  const every = Math.max(1, Math.ceil(rows.length / 8));
  const dayLabel = (d: number) => (locale === "zh-CN" ? `${d}日` : `Day ${d}`);
  return (
    <div className="flex h-44 w-full text-[10px] text-slate-600" data-testid="daily-chart">
      <div className="tabular flex w-11 shrink-0 flex-col justify-between pb-5 pr-1.5 text-right leading-none" aria-hidden>
        {ticks.map((v) => (
          <span key={v} className="-my-1">
            {formatTokens(v, locale)}
          </span>
        ))}
      </div>
      <div className="relative min-w-0 flex-1">
        <div className="absolute inset-x-0 top-0 bottom-5 flex flex-col justify-between" aria-hidden>
          {ticks.map((v) => (
            <div key={v} className="h-px bg-slate-200" />
          ))}
        </div>
        <ul className="absolute inset-x-0 top-0 bottom-5 flex items-end gap-px sm:gap-0.5">
          {rows.map((r) => (
            <li
              key={r.day}
              className="group flex h-full min-w-0 flex-1 items-end justify-center hover:bg-indigo-50"
              title={`${dayLabel(r.day)}: ${formatTokens(r.value, locale)} tokens`}
            >
              <span className="sr-only">{`${dayLabel(r.day)}: ${formatTokens(r.value, locale)} tokens`}</span>
              <span className="block w-full max-w-4 rounded-t-[3px] bg-indigo-600" style={{ height: `${(r.value / top) * 100}%` }} />
            </li>
          ))}
        </ul>
        <div className="absolute inset-x-0 bottom-0 flex h-5 items-end" aria-hidden>
          {rows.map((r, i) => (
            <span key={r.day} className="min-w-0 flex-1 overflow-visible text-center">
              {(i % every === 0 && rows.length - 1 - i >= every / 2) || i === rows.length - 1 ? r.day : ""}
            </span>
          ))}
        </div>
      </div>
    </div>
  );
}

/** Share of plan tokens by model: a donut and a ranked list. */
export function ModelBreakdown({
  data,
  locale,
}: {
  data: { modelId: string; name: string; planTokens: string; requests: number; href: string }[];
  locale: Locale;
}) {
  const top = data.slice(0, 6);
  const rest = data.slice(6).reduce((s, d) => s + Number(d.planTokens), 0);
  const rows = [...top.map((d) => ({ name: d.name, value: Number(d.planTokens) })), ...(rest > 0 ? [{ name: "…", value: rest }] : [])];
  const total = rows.reduce((s, r) => s + r.value, 0) || 1;
  // Slices as dashes on one circle (r = 54, 24 wide: inner 42, outer 66), a 1° gap between them.
  const r = 54;
  const c = 2 * Math.PI * r;
  const gap = rows.length > 1 ? c / 360 : 0;
  let at = 0;
  const slices = rows.map((row, i) => {
    const len = (row.value / total) * c;
    const s = { ...row, color: COLORS[i % COLORS.length]!, dash: Math.max(0, len - gap), offset: at };
    at += len;
    return s;
  });
  return (
    <div className="flex flex-col items-center gap-4 sm:flex-row" data-testid="model-breakdown">
      <svg viewBox="0 0 132 132" className="size-36 shrink-0 -rotate-90" aria-hidden>
        {slices.map((s) => (
          <circle
            key={s.name}
            cx="66"
            cy="66"
            r={r}
            fill="none"
            stroke={s.color}
            strokeWidth="24"
            strokeDasharray={`${s.dash} ${c - s.dash}`}
            strokeDashoffset={-s.offset}
          >
            <title>{`${s.name}: ${formatTokens(s.value, locale)}`}</title>
          </circle>
        ))}
      </svg>
      <ul className="w-full flex-1 space-y-2 text-sm">
        {top.map((d, i) => (
          <li key={d.modelId} className="flex items-center gap-2">
            <span className="size-2.5 shrink-0 rounded-full" style={{ background: COLORS[i % COLORS.length] }} />
            <a href={d.href} className="min-w-0 flex-1 truncate text-slate-700 hover:text-brand-700">
              {d.name}
            </a>
            <span className="tabular text-slate-600">{Math.round((Number(d.planTokens) / total) * 100)}%</span>
            <span className="w-16 text-right font-medium tabular text-slate-900">{formatTokens(BigInt(d.planTokens), locale)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
