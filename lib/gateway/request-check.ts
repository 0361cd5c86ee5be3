import { chatCompletionRequest, type ChatCompletionRequest } from "./request";

/**
 * The common shape of a chat completion request, checked by hand: plain-text messages (an agent's
 * tool calls and tool results included), function tools, and the scalar parameters. It answers
 * the request as `chatCompletionRequest` (request.ts) would parse it, or null for anything else:
 * content parts, images, `response_format`, `logit_bias`, a `tool_choice` object, and anything the
 * schema would refuse or rewrite. Null sends the body to the schema, which has the final word and
 * the error messages.
 *
 * Why: the schema's generic checks are this gateway's largest cost before the upstream call (on
 * this machine about 0.7 ms of a request that arrives after an idle moment, against a few
 * microseconds in a warm loop); this is one small function. What it accepts, the schema accepts
 * with an equal result (request-check.test.ts checks that on random bodies), so it can only make
 * a request faster, never answer it differently.
 */
export function checkCommonChatRequest(raw: Record<string, unknown>): ChatCompletionRequest | null {
  if (!plain(raw)) return null;
  const out: Record<string, unknown> = {};
  for (const k in raw) {
    const v = raw[k];
    // `provider` is the router's (read from the raw body); the schema keeps none but its own fields.
    if (k === "provider" || v === undefined) continue;
    if (v === null) {
      // A null parameter is kept as null, an unknown one dropped, as the schema does.
      if (NULLABLE.has(k)) out[k] = null;
      else if (k === "model" || k === "messages") return null;
      continue;
    }
    if (!field(k, v)) return null;
    out[k] = v;
  }
  return typeof out.model === "string" && Array.isArray(out.messages) ? (out as ChatCompletionRequest) : null;
}

/** The request's parameters that may be null: every field of the schema but model and messages. */
const NULLABLE: ReadonlySet<string> = new Set(Object.keys(chatCompletionRequest.shape).filter((k) => k !== "model" && k !== "messages"));

function str(v: unknown, min: number, max: number): v is string {
  return typeof v === "string" && v.length >= min && v.length <= max;
}
function int(v: unknown): v is number {
  return typeof v === "number" && Number.isSafeInteger(v);
}
function num(v: unknown, min: number, max: number): boolean {
  return typeof v === "number" && Number.isFinite(v) && v >= min && v <= max;
}
/** A JSON object without a `__proto__` key (which the schema's copy would turn into a prototype). */
function plain(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && Object.getPrototypeOf(v) === Object.prototype && !Object.hasOwn(v, "__proto__");
}
/** Only these keys (the schema would drop any other). */
function onlyKeys(o: Record<string, unknown>, keys: readonly string[]): boolean {
  for (const k in o) if (!keys.includes(k)) return false;
  return true;
}
/** Absent, or null where the schema allows it. */
function none(v: unknown, nullable: boolean): boolean {
  return v === undefined || (nullable && v === null);
}

const TOOL_NAME = /^[a-zA-Z0-9_-]{1,64}$/;

/** A non-null top-level value in the common shape. */
function field(k: string, v: unknown): boolean {
  switch (k) {
    case "model":
      return str(v, 1, 200);
    case "messages":
      return Array.isArray(v) && v.length >= 1 && v.length <= 2000 && v.every(message);
    case "stream":
    case "parallel_tool_calls":
      return typeof v === "boolean";
    case "stream_options":
      return plain(v) && onlyKeys(v, ["include_usage"]) && (none(v.include_usage, true) || typeof v.include_usage === "boolean");
    case "max_tokens":
    case "max_completion_tokens":
      return int(v) && v > 0;
    case "n":
      return v === 1;
    case "user":
      return str(v, 0, 256);
    case "tools":
      return Array.isArray(v) && v.length <= 128 && v.every(tool);
    case "tool_choice":
      return v === "none" || v === "auto" || v === "required";
    case "stop":
      return str(v, 0, 1000) || (Array.isArray(v) && v.length <= 4 && v.every((s) => str(s, 0, 1000)));
    case "seed":
      return int(v);
    case "temperature":
      return num(v, 0, 2);
    case "top_p":
      return num(v, 0, 1);
    case "presence_penalty":
    case "frequency_penalty":
      return num(v, -2, 2);
    default:
      // response_format, logit_bias, and anything unknown: the schema's.
      return false;
  }
}

function message(m: unknown): boolean {
  if (!plain(m)) return false;
  const nameOk = none(m.name, false) || str(m.name, 0, 64);
  switch (m.role) {
    case "system":
    case "developer":
    case "user":
      return typeof m.content === "string" && nameOk;
    case "assistant":
      return (
        (none(m.content, true) || typeof m.content === "string") &&
        nameOk &&
        (none(m.refusal, true) || typeof m.refusal === "string") &&
        (none(m.tool_calls, true) || (Array.isArray(m.tool_calls) && m.tool_calls.length <= 128 && m.tool_calls.every(toolCall)))
      );
    case "tool":
      return typeof m.content === "string" && str(m.tool_call_id, 1, 200);
    default:
      return false;
  }
}

function toolCall(c: unknown): boolean {
  if (!plain(c) || !str(c.id, 1, 200) || c.type !== "function") return false;
  const f = c.function;
  return plain(f) && str(f.name, 1, 64) && str(f.arguments, 0, 1_000_000);
}

function tool(t: unknown): boolean {
  if (!plain(t) || !onlyKeys(t, ["type", "function"]) || t.type !== "function") return false;
  const f = t.function;
  if (!plain(f) || !onlyKeys(f, ["name", "description", "parameters", "strict"])) return false;
  if (typeof f.name !== "string" || !TOOL_NAME.test(f.name)) return false;
  if (!none(f.description, false) && !str(f.description, 0, 100_000)) return false;
  if (!none(f.strict, true) && typeof f.strict !== "boolean") return false;
  // A JSON schema passed on as it is: a plain object whose keys the schema's record would copy as they are.
  const p = f.parameters;
  return p === undefined || plain(p);
}
