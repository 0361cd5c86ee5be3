import { DomainError } from "@/lib/core/errors";

export type UpstreamErrorCode =
  | "upstream_auth"
  | "upstream_rate_limited"
  | "upstream_model_not_found"
  | "upstream_bad_request"
  | "upstream_unavailable"
  | "upstream_timeout"
  | "upstream_aborted"
  | "upstream_stream_broken"
  | "upstream_error";

/** Whether any text reached the caller before the failure (decides release vs settle). */
export type UpstreamErrorPhase = "before-first-token" | "after-first-token";

export class UpstreamError extends DomainError<UpstreamErrorCode> {
  readonly phase: UpstreamErrorPhase;
  readonly status?: number;
  /** Safe to retry on another route: nothing was delivered and the failure is transient. */
  readonly retryable: boolean;
  readonly providerId: string;
  constructor(init: { code: UpstreamErrorCode; phase: UpstreamErrorPhase; providerId: string; status?: number; message?: string; cause?: unknown }) {
    super(init.code, init.message ?? init.code, { phase: init.phase, providerId: init.providerId, ...(init.status ? { status: init.status } : {}) });
    this.name = "UpstreamError";
    this.phase = init.phase;
    this.status = init.status;
    this.providerId = init.providerId;
    this.retryable =
      init.phase === "before-first-token" &&
      (init.code === "upstream_rate_limited" || init.code === "upstream_unavailable" || init.code === "upstream_timeout");
    if (init.cause !== undefined) (this as { cause?: unknown }).cause = init.cause;
  }
}

/** The error code for a provider's HTTP status. */
export function codeForStatus(status: number): UpstreamErrorCode {
  if (status === 401 || status === 403) return "upstream_auth";
  if (status === 429) return "upstream_rate_limited";
  if (status === 404) return "upstream_model_not_found";
  if (status === 408 || status === 504) return "upstream_timeout";
  if (status >= 500) return "upstream_unavailable";
  if (status >= 400) return "upstream_bad_request";
  return "upstream_error";
}

function messageOf(err: unknown): string {
  if (err instanceof Error) return err.message;
  if (err && typeof err === "object" && "message" in err) return String((err as { message: unknown }).message);
  return String(err);
}

const TIMEOUT_CODES = new Set(["UND_ERR_HEADERS_TIMEOUT", "UND_ERR_BODY_TIMEOUT", "UND_ERR_CONNECT_TIMEOUT"]);

/** Maps whatever the connection threw (or an SSE error payload) to an UpstreamError. */
export function toUpstreamError(err: unknown, ctx: { phase: UpstreamErrorPhase; providerId: string; aborted?: boolean }): UpstreamError {
  if (err instanceof UpstreamError) return err;
  const base = { phase: ctx.phase, providerId: ctx.providerId, cause: err };
  if (ctx.aborted || (err instanceof Error && err.name === "AbortError"))
    return new UpstreamError({ ...base, code: "upstream_aborted", message: "request aborted" });
  // AbortSignal.timeout's TimeoutError, or the connection pool's header / between-chunk timeouts.
  if (err instanceof Error && (err.name === "TimeoutError" || TIMEOUT_CODES.has((err as { code?: unknown }).code as string)))
    return new UpstreamError({ ...base, code: "upstream_timeout", message: err.message });
  // An SSE error payload ({ message, type, code }) sent mid-stream by the provider.
  if (err && typeof err === "object" && !(err instanceof Error) && "message" in err)
    return new UpstreamError({ ...base, code: ctx.phase === "after-first-token" ? "upstream_stream_broken" : "upstream_error", message: messageOf(err) });
  // Network failures (ECONNREFUSED, ECONNRESET, "aborted"…).
  return new UpstreamError({ ...base, code: ctx.phase === "after-first-token" ? "upstream_stream_broken" : "upstream_unavailable", message: messageOf(err) });
}
