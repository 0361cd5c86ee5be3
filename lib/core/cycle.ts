/** Bill cycles are calendar months in Asia/Shanghai (UTC+8, no daylight saving). */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** The cycle asked for last and its bounds: nearly every call in a month falls in the same one. */
let lastCycle = { cycle: "", start: 0, end: 0 };

/** "YYYY-MM" of the Asia/Shanghai month that contains `at`. */
export function cycleOf(at: Date): string {
  const t = at.getTime();
  if (t >= lastCycle.start && t < lastCycle.end) return lastCycle.cycle;
  const local = new Date(t + SHANGHAI_OFFSET_MS);
  const y = local.getUTCFullYear();
  const mo = local.getUTCMonth();
  const cycle = `${y}-${String(mo + 1).padStart(2, "0")}`;
  lastCycle = { cycle, start: Date.UTC(y, mo, 1) - SHANGHAI_OFFSET_MS, end: Date.UTC(y, mo + 1, 1) - SHANGHAI_OFFSET_MS };
  return cycle;
}

/** The instants where a cycle starts (inclusive) and ends (exclusive). */
export function cycleBounds(cycle: string): { start: Date; end: Date; days: number } {
  const m = /^(\d{4})-(\d{2})$/.exec(cycle);
  if (!m) throw new Error(`bad cycle ${cycle}`);
  const y = Number(m[1]);
  const mo = Number(m[2]) - 1;
  const start = new Date(Date.UTC(y, mo, 1) - SHANGHAI_OFFSET_MS);
  const end = new Date(Date.UTC(y, mo + 1, 1) - SHANGHAI_OFFSET_MS);
  const days = Math.round((end.getTime() - start.getTime()) / 86_400_000);
  return { start, end, days };
}

export function nextCycle(cycle: string): string {
  return cycleOf(new Date(cycleBounds(cycle).end.getTime() + 1));
}

export function previousCycle(cycle: string): string {
  return cycleOf(new Date(cycleBounds(cycle).start.getTime() - 1));
}
