/**
 * One error scheme. Domain modules throw `DomainError`s with literal codes; server actions
 * and route handlers turn them into `{ ok: false, code }` results the UI translates
 * (messages in the `errors` namespace). Anything else is logged and shown as `internal`.
 */
export class DomainError<C extends string = string> extends Error {
  readonly code: C;
  readonly details?: Record<string, unknown>;
  constructor(code: C, message?: string, details?: Record<string, unknown>) {
    super(message ?? code);
    this.name = "DomainError";
    this.code = code;
    this.details = details;
  }
}

export type Failure<C extends string = string> = { ok: false; code: C; message?: string; details?: Record<string, unknown> };
export type Result<T extends object = object, C extends string = string> = ({ ok: true } & T) | Failure<C>;

export function fail<C extends string>(code: C, details?: Record<string, unknown>): Failure<C> {
  return details ? { ok: false, code, details } : { ok: false, code };
}

/** Maps any thrown value to a user-safe failure; database and unknown errors are logged, never shown. */
export function toFailure(err: unknown): Failure {
  if (err instanceof DomainError) return fail(err.code, err.details);
  if (err && typeof err === "object" && "code" in err && typeof (err as { code: unknown }).code === "string" && (err as { name?: string }).name?.endsWith("Error") && /^[a-z_]+$/.test((err as { code: string }).code)) {
    // Typed domain errors from other modules (class with a literal snake_case code).
    return fail((err as { code: string }).code);
  }
  console.error("[unitoken] unexpected error", err);
  return fail("internal");
}
