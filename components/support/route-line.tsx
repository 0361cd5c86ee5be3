/**
 * Which provider served a usage row, and how many routes were tried before it. After a failover
 * every try is listed under it (provider, outcome, status, time), so staff read it on any screen,
 * not only in a hover title.
 */
export function RouteLine({
  via,
  tried,
  attempts,
}: {
  via: string;
  tried: string | null;
  attempts: { provider: string; outcome: string; ms: number; status?: number }[] | null;
}) {
  const steps = attempts?.map((a) => `${a.provider}: ${a.outcome}${a.status ? ` (${a.status})` : ""} · ${a.ms} ms`);
  return (
    <span className="block font-sans text-[11px] text-slate-500" data-testid="usage-route">
      <span className="block truncate" title={steps?.join("\n")}>
        {via}
        {tried ? <span className="text-amber-700"> · {tried}</span> : null}
      </span>
      {steps && steps.length > 1 ? (
        <span className="block truncate text-slate-400" data-testid="usage-route-attempts">
          {steps.join(" → ")}
        </span>
      ) : null}
    </span>
  );
}
