/** Bill cycles are calendar months in Asia/Shanghai (UTC+8, no daylight saving). */
const SHANGHAI_OFFSET_MS = 8 * 60 * 60 * 1000;

/** "YYYY-MM" of the Asia/Shanghai month that contains `at`. */
export function cycleOf(at: Date): string {
  const local = new Date(at.getTime() + SHANGHAI_OFFSET_MS);
  return `${local.getUTCFullYear()}-${String(local.getUTCMonth() + 1).padStart(2, "0")}`;
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
