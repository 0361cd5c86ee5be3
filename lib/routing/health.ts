import { nowMs } from "@/lib/core/clock";

/**
 * Route health, per process: a route (provider + its model id) that failed `failureThreshold`
 * times in a row is skipped for `coolDownMs`; after that one request at a time probes it, and the
 * probe's success brings it back (its failure starts a new cool-down). Successes also feed the
 * recent time to first token and throughput the "latency", "throughput" and "balanced" sorts use.
 */

export type RouteHealthOptions = {
  /** Consecutive failures that take a route out (default 3). */
  failureThreshold?: number;
  /** How long a failed route is skipped before it is probed (default 30 s). */
  coolDownMs?: number;
  /** Weight of the newest sample in the moving averages (default 0.3). */
  alpha?: number;
  now?: () => number;
  maxRoutes?: number;
};

type Entry = {
  failures: number;
  downUntil: number;
  probing: boolean;
  ttftMs: number | null;
  tokensPerSecond: number | null;
};

export type RouteStats = { ttftMs: number | null; tokensPerSecond: number | null; failures: number; down: boolean };

/** Whether a route may be called now: "up", "probe" (the caller is the one probe), or "down" (skip). */
export type RouteAdmission = "up" | "probe" | "down";

export class RouteHealth {
  private readonly routes = new Map<string, Entry>();
  readonly failureThreshold: number;
  readonly coolDownMs: number;
  private readonly alpha: number;
  private readonly now: () => number;

  constructor(opts: RouteHealthOptions = {}) {
    this.failureThreshold = opts.failureThreshold ?? 3;
    this.coolDownMs = opts.coolDownMs ?? 30_000;
    this.alpha = opts.alpha ?? 0.3;
    this.now = opts.now ?? nowMs;
    this.maxRoutes = opts.maxRoutes ?? 10_000;
  }
  private readonly maxRoutes: number;

  private entry(key: string): Entry {
    let e = this.routes.get(key);
    if (!e) {
      if (this.routes.size >= this.maxRoutes) this.routes.clear();
      e = { failures: 0, downUntil: 0, probing: false, ttftMs: null, tokensPerSecond: null };
      this.routes.set(key, e);
    }
    return e;
  }

  /** Whether the route is out right now (no side effect). */
  isDown(key: string): boolean {
    const e = this.routes.get(key);
    if (!e || e.failures < this.failureThreshold) return false;
    return this.now() < e.downUntil || e.probing;
  }

  /** Asks to call the route: "down" while it cools down or while another request probes it. */
  admit(key: string): RouteAdmission {
    const e = this.routes.get(key);
    if (!e || e.failures < this.failureThreshold) return "up";
    if (this.now() < e.downUntil || e.probing) return "down";
    e.probing = true;
    return "probe";
  }

  /** The route answered (its first token came): it is up, and its speed is noted. */
  success(key: string, sample: { ttftMs?: number | null; tokensPerSecond?: number | null } = {}): void {
    const e = this.entry(key);
    e.failures = 0;
    e.downUntil = 0;
    e.probing = false;
    if (sample.ttftMs != null && Number.isFinite(sample.ttftMs))
      e.ttftMs = e.ttftMs === null ? sample.ttftMs : e.ttftMs + this.alpha * (sample.ttftMs - e.ttftMs);
    if (sample.tokensPerSecond != null && Number.isFinite(sample.tokensPerSecond) && sample.tokensPerSecond > 0)
      e.tokensPerSecond = e.tokensPerSecond === null ? sample.tokensPerSecond : e.tokensPerSecond + this.alpha * (sample.tokensPerSecond - e.tokensPerSecond);
  }

  /** Throughput of a finished stream, noted after its first token already counted as a success. */
  throughput(key: string, tokensPerSecond: number): void {
    const e = this.routes.get(key);
    if (!e || !Number.isFinite(tokensPerSecond) || tokensPerSecond <= 0) return;
    e.tokensPerSecond = e.tokensPerSecond === null ? tokensPerSecond : e.tokensPerSecond + this.alpha * (tokensPerSecond - e.tokensPerSecond);
  }

  /** The route failed before its first token (connect error, 429, 5xx, timeout). */
  failure(key: string): void {
    const e = this.entry(key);
    e.failures++;
    e.probing = false;
    if (e.failures >= this.failureThreshold) e.downUntil = this.now() + this.coolDownMs;
  }

  /** A probe that ended without a verdict (the client left first) frees the probe slot. */
  abandon(key: string): void {
    const e = this.routes.get(key);
    if (e) e.probing = false;
  }

  /** Forgets every route (as a new process would). */
  reset(): void {
    this.routes.clear();
  }

  stats(key: string): RouteStats {
    const e = this.routes.get(key);
    return {
      ttftMs: e?.ttftMs ?? null,
      tokensPerSecond: e?.tokensPerSecond ?? null,
      failures: e?.failures ?? 0,
      down: this.isDown(key),
    };
  }
}

/** The key a route's health is kept under. */
export function routeKey(route: { providerId: string; providerModelId: string }): string {
  return `${route.providerId}/${route.providerModelId}`;
}

/** The process's route health (chat and the API share it). */
export const processRouteHealth = new RouteHealth();
