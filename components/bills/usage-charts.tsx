"use client";
import { Bar, BarChart, CartesianGrid, Cell, Pie, PieChart, ResponsiveContainer, Tooltip, XAxis, YAxis } from "recharts";
import { useLocale } from "next-intl";
import { formatTokens, type Locale } from "@/lib/core/format";

const COLORS = ["#4f46e5", "#0ea5e9", "#10b981", "#f59e0b", "#ef4444", "#8b5cf6", "#64748b"];

/** Plan tokens per day of the cycle. Values arrive as strings (bigints over the wire). */
export function DailyChart({ data }: { data: { day: string; planTokens: string }[] }) {
  const locale = useLocale() as Locale;
  const rows = data.map((d) => ({ label: String(Number(d.day.slice(8))), value: Number(d.planTokens) }));
  return (
    <div className="h-44 w-full" data-testid="daily-chart">
      <ResponsiveContainer width="100%" height="100%">
        <BarChart data={rows} margin={{ top: 4, right: 4, bottom: 0, left: -8 }}>
          <CartesianGrid vertical={false} stroke="#e2e8f0" />
          <XAxis dataKey="label" tickLine={false} axisLine={false} fontSize={10} interval="preserveStartEnd" minTickGap={6} />
          <YAxis tickLine={false} axisLine={false} fontSize={10} width={44} tickFormatter={(v: number) => formatTokens(v, locale)} />
          <Tooltip
            cursor={{ fill: "#eef2ff" }}
            formatter={(v) => [formatTokens(Number(v), locale), "tokens"]}
            labelFormatter={(l) => (locale === "zh-CN" ? `${l}日` : `Day ${l}`)}
          />
          <Bar isAnimationActive={false} dataKey="value" fill="#4f46e5" radius={[3, 3, 0, 0]} maxBarSize={16} />
        </BarChart>
      </ResponsiveContainer>
    </div>
  );
}

/** Share of plan tokens by model: a donut and a ranked list. */
export function ModelBreakdown({ data }: { data: { modelId: string; name: string; planTokens: string; requests: number; href: string }[] }) {
  const locale = useLocale() as Locale;
  const top = data.slice(0, 6);
  const rest = data.slice(6).reduce((s, d) => s + Number(d.planTokens), 0);
  const rows = [...top.map((d) => ({ name: d.name, value: Number(d.planTokens) })), ...(rest > 0 ? [{ name: "…", value: rest }] : [])];
  const total = rows.reduce((s, r) => s + r.value, 0) || 1;
  return (
    <div className="flex flex-col items-center gap-4 sm:flex-row" data-testid="model-breakdown">
      <div className="size-36 shrink-0">
        <ResponsiveContainer width="100%" height="100%">
          <PieChart>
            <Pie isAnimationActive={false} data={rows} dataKey="value" nameKey="name" innerRadius={42} outerRadius={66} paddingAngle={1} stroke="none">
              {rows.map((_, i) => (
                <Cell key={i} fill={COLORS[i % COLORS.length]} />
              ))}
            </Pie>
            <Tooltip formatter={(v) => formatTokens(Number(v), locale)} />
          </PieChart>
        </ResponsiveContainer>
      </div>
      <ul className="w-full flex-1 space-y-2 text-sm">
        {top.map((d, i) => (
          <li key={d.modelId} className="flex items-center gap-2">
            <span className="size-2.5 shrink-0 rounded-full" style={{ background: COLORS[i % COLORS.length] }} />
            <a href={d.href} className="min-w-0 flex-1 truncate text-slate-700 hover:text-brand-700">
              {d.name}
            </a>
            <span className="tabular text-slate-500">{Math.round((Number(d.planTokens) / total) * 100)}%</span>
            <span className="w-16 text-right font-medium tabular text-slate-900">{formatTokens(BigInt(d.planTokens), locale)}</span>
          </li>
        ))}
      </ul>
    </div>
  );
}
