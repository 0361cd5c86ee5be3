/** Which provider served a usage row, and how many routes were tried before it (each try in the title). */
export function RouteLine({
  via,
  tried,
  attempts,
}: {
  via: string;
  tried: string | null;
  attempts: { provider: string; outcome: string; ms: number; status?: number }[] | null;
}) {
  const detail = attempts?.map((a) => `${a.provider}: ${a.outcome}${a.status ? ` (${a.status})` : ""} · ${a.ms} ms`).join("\n");
  return (
    <span className="block truncate font-sans text-[11px] text-slate-500" title={detail} data-testid="usage-route">
      {via}
      {tried ? <span className="text-amber-700"> · {tried}</span> : null}
    </span>
  );
}
