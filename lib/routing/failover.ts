import { UpstreamError, type PushCall, type StreamCompletionInput, type StreamEvent, type StreamSink } from "@/lib/upstream";
import { routeKey, type RouteAdmission, type RouteHealth } from "./health";

/** A route the failover can call (lib/catalog's ResolvedRoute). */
export type CallableRoute = StreamCompletionInput["route"];

/** One route tried: the provider, how the try ended ("ok", an upstream error code, "timeout", "cooling_down", "deadline"), its milliseconds. */
export type RouteAttempt = { provider: string; outcome: string; ms: number; status?: number };

export type FailoverOptions<R extends CallableRoute> = {
  /** The request's routes, in the order to try them. */
  routes: readonly R[];
  /** How one route is called (lib/upstream's pushCompletion). */
  call: PushCall;
  /** The request's own signal: aborting it stops whichever route is being called, and the failover. */
  signal: AbortSignal;
  health: RouteHealth;
  /** A route with another one after it gets this long to produce its first output. */
  attemptTimeoutMs: number;
  /** No route is tried after this long from the first call. */
  deadlineMs: number;
  /** Filled as routes are tried. */
  attempts: RouteAttempt[];
  /** A route is about to be called: it is now the request's route (its price, its usage). */
  onRoute: (route: R) => void;
  /** The route being called accepted the request (its response headers came). */
  onOpen?: () => void;
};

type Last = Extract<StreamEvent, { type: "usage" } | { type: "error" }>;
function isOutput(ev: StreamEvent): ev is Exclude<StreamEvent, Last> {
  return ev.type !== "usage" && ev.type !== "error";
}

/** The least time left before the deadline for which another route is tried. */
const MIN_TRY_MS = 5;

/**
 * Calls the routes in order until one produces output. A connect error, a 429, a 5xx or a
 * timeout before a route's first output (text, reasoning or a tool call) moves on to the next
 * route, within one deadline; once output came there is no other try, and nothing a failed route
 * sent is ever passed on (it sent no output). The events of the route that answered (or the last
 * failure) go to `sink` as they come, synchronously, the terminal one last and exactly once. Each
 * try counts toward its route's health; routes cooling down are skipped. The demo upstream is not
 * health-checked (its failures are asked for).
 */
export function failover<R extends CallableRoute>(
  base: Omit<StreamCompletionInput, "route" | "signal" | "onOpen">,
  opts: FailoverOptions<R>,
  sink: StreamSink,
): void {
  const { routes, health, attempts, signal } = opts;
  const deadline = performance.now() + opts.deadlineMs;
  let lastFailure: UpstreamError | null = null;
  let tried = 0;
  let i = 0;

  const next = (): void => {
    for (; i < routes.length; i++) {
      const route = routes[i]!;
      if (signal.aborted) break;
      // A timer set for the deadline can fire a fraction of a millisecond before this clock reaches
      // it; a try with less than MIN_TRY_MS left could not bring a first token anyway.
      if (tried > 0 && performance.now() >= deadline - MIN_TRY_MS) {
        attempts.push({ provider: route.providerId, outcome: "deadline", ms: 0 });
        break;
      }
      const admission = route.kind !== "demo" ? health.admit(routeKey(route)) : "up";
      if (admission === "down") {
        attempts.push({ provider: route.providerId, outcome: "cooling_down", ms: 0 });
        continue;
      }
      tried++;
      i++;
      return attempt(route, i, admission);
    }
    sink({
      type: "error",
      error:
        lastFailure ??
        new UpstreamError({
          code: signal.aborted ? "upstream_aborted" : "upstream_unavailable",
          phase: "before-first-token",
          providerId: routes[0]?.providerId ?? "none",
          message: signal.aborted ? "request aborted" : "every route of this model is cooling down",
        }),
    });
  };

  /** One route's try; `rest` is where the routes after it start. */
  const attempt = (route: R, rest: number, admission: RouteAdmission): void => {
    const tracked = route.kind !== "demo";
    const key = routeKey(route);
    opts.onRoute(route);
    const t0 = performance.now();
    const hasNext = routes.slice(rest).some((r) => r.kind === "demo" || !health.isDown(routeKey(r)));
    const remaining = deadline - t0;
    const timed = hasNext && remaining > 0;
    // A try that may time out has a signal of its own (the timeout aborts it, not the request);
    // the last route's try is the request's to stop, and uses the request's signal as it is.
    const attemptAbort = timed ? new AbortController() : null;
    const onOuter = () => attemptAbort?.abort(signal.reason);
    if (attemptAbort) signal.addEventListener("abort", onOuter, { once: true });
    let timedOut = false;
    let outputAt: number | null = null;
    /** This try is over (it gave its last word, or the next route was tried): its events are ignored. */
    let over = false;
    const timer = attemptAbort
      ? setTimeout(
          () => {
            timedOut = true;
            attemptAbort.abort(new DOMException("no first output in time", "TimeoutError"));
          },
          Math.min(opts.attemptTimeoutMs, remaining),
        )
      : undefined;
    const close = () => {
      over = true;
      clearTimeout(timer);
      if (attemptAbort) signal.removeEventListener("abort", onOuter);
    };
    opts.call({ ...base, route, signal: attemptAbort?.signal ?? signal, ...(opts.onOpen ? { onOpen: opts.onOpen } : {}) }, (ev) => {
      if (over) return;
      if (isOutput(ev)) {
        if (outputAt === null) {
          outputAt = performance.now();
          clearTimeout(timer);
          if (tracked) health.success(key, { ttftMs: outputAt - t0 });
        }
        sink(ev);
        return;
      }
      const ms = Math.round(performance.now() - t0);
      if (ev.type === "error" && outputAt === null && !signal.aborted && (timedOut || ev.error.retryable)) {
        // No output yet and another route may answer: this one's failure is recorded, the next one tried.
        close();
        const failure = timedOut
          ? new UpstreamError({ code: "upstream_timeout", phase: "before-first-token", providerId: route.providerId, message: "no first output in time" })
          : ev.error;
        attempts.push({ provider: route.providerId, outcome: timedOut ? "timeout" : failure.code, ms, ...(failure.status ? { status: failure.status } : {}) });
        if (tracked) health.failure(key);
        lastFailure = failure;
        // Not from inside the failed call's own callback.
        queueMicrotask(next);
        return;
      }
      // The route's last word: its usage, or an error that is not another route's business.
      close();
      if (ev.type === "usage") {
        attempts.push({ provider: route.providerId, outcome: "ok", ms });
        if (tracked) {
          if (outputAt === null) health.success(key, { ttftMs: null });
          const secs = outputAt === null ? 0 : (performance.now() - outputAt) / 1000;
          if (ev.tokensOut && secs > 0.05) health.throughput(key, ev.tokensOut / secs);
        }
      } else {
        attempts.push({ provider: route.providerId, outcome: ev.error.code, ms, ...(ev.error.status ? { status: ev.error.status } : {}) });
        if (tracked && outputAt === null && !signal.aborted) health.failure(key);
        else if (tracked && signal.aborted && admission === "probe") health.abandon(key);
      }
      sink(ev);
    });
  };

  next();
}
