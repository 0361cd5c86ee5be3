/**
 * One error scheme. Domain modules throw errors of one base class, `DomainError`, each with a
 * literal code; server actions and route handlers turn them into `{ ok: false, code }` results
 * the UI translates (messages in the `errors` namespace, components/use-failure-text.ts), and the
 * API into OpenAI error objects (lib/gateway/errors.ts). Anything else is logged and shown as
 * `internal`.
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
  console.error("[unitoken] unexpected error", describeError(err));
  return fail("internal");
}

type Loose = Record<string, unknown>;

/** A database error: drizzle's query wrapper (query + params) or a driver error (SQLSTATE + severity). */
function isDatabaseError(e: Loose): boolean {
  return ("query" in e && "params" in e) || (typeof e.code === "string" && /^[0-9A-Z]{5}$/.test(e.code) && "severity" in e);
}

/** The stack without its first line, which repeats the message. */
function framesOnly(stack: unknown): string | undefined {
  return typeof stack === "string"
    ? stack
        .split("\n")
        .filter((l) => /^\s+at /.test(l))
        .join("\n")
    : undefined;
}

/**
 * What a log may say about a thrown value. A database error keeps only its kind, SQLSTATE and
 * the names of the constraint, table, column and routine: never its message, detail, query or
 * parameters, which carry phone numbers, codes and message text. Other errors keep their message.
 */
export function describeError(err: unknown, depth = 0): Loose | string {
  if (!err || typeof err !== "object") return typeof err === "string" ? "(string thrown)" : String(err);
  const e = err as Loose;
  const cause = e.cause !== undefined && depth < 3 ? { cause: describeError(e.cause, depth + 1) } : {};
  if (isDatabaseError(e)) {
    const out: Loose = { name: typeof e.name === "string" ? e.name : "DatabaseError" };
    for (const k of ["code", "constraint", "table", "column", "routine"] as const) if (typeof e[k] === "string") out[k] = e[k];
    return { ...out, ...cause, stack: framesOnly(e.stack) };
  }
  return { name: e.name, message: e.message, ...cause, stack: framesOnly(e.stack) };
}
