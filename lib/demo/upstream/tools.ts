/**
 * The demo model's tool use and structured output: it decides from the last user message whether
 * to call a tool, makes arguments that are valid for the tool's JSON schema (values taken from the
 * message where it can: quoted phrases, numbers), answers from a tool's result once it has one, and
 * writes JSON for response_format json_object / json_schema. Deterministic: the same request gets
 * the same answer.
 */

type Schema = {
  type?: string | string[];
  properties?: Record<string, Schema>;
  required?: string[];
  items?: Schema;
  minItems?: number;
  enum?: unknown[];
  const?: unknown;
  anyOf?: Schema[];
  oneOf?: Schema[];
  allOf?: Schema[];
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minLength?: number;
  maxLength?: number;
  format?: string;
  default?: unknown;
  examples?: unknown[];
  $ref?: string;
  $defs?: Record<string, Schema>;
  definitions?: Record<string, Schema>;
};

export type DemoTool = { type?: string; function?: { name?: unknown; description?: unknown; parameters?: unknown } };

/** Values the message offers: quoted phrases for strings, numbers for numbers. */
type Hints = { strings: string[]; numbers: number[] };

function hintsFrom(text: string): Hints {
  const strings = [...text.matchAll(/["“「『']([^"”」』']{1,80})["”」』']/g)].map((m) => m[1]!.trim()).filter(Boolean);
  const numbers = [...text.matchAll(/(?<![\w.])-?\d+(?:\.\d+)?(?![\w.])/g)].map((m) => Number(m[0]));
  return { strings, numbers };
}

function firstType(s: Schema): string | undefined {
  if (Array.isArray(s.type)) return s.type.find((t) => t !== "null") ?? s.type[0];
  if (s.type) return s.type;
  if (s.properties) return "object";
  if (s.items) return "array";
  return undefined;
}

function resolveRef(s: Schema, root: Schema): Schema {
  if (!s.$ref) return s;
  const m = /^#\/(\$defs|definitions)\/(.+)$/.exec(s.$ref);
  const defs = m ? (m[1] === "$defs" ? root.$defs : root.definitions) : undefined;
  return (m && defs?.[m[2]!]) || {};
}

function numberFor(s: Schema, hints: Hints, integer: boolean): number {
  const lo = s.minimum ?? (s.exclusiveMinimum !== undefined ? s.exclusiveMinimum + (integer ? 1 : 0.5) : undefined);
  const hi = s.maximum ?? (s.exclusiveMaximum !== undefined ? s.exclusiveMaximum - (integer ? 1 : 0.5) : undefined);
  const ok = (n: number) => (!integer || Number.isInteger(n)) && (lo === undefined || n >= lo) && (hi === undefined || n <= hi);
  const i = hints.numbers.findIndex(ok);
  if (i >= 0) return hints.numbers.splice(i, 1)[0]!;
  const base = lo ?? (hi !== undefined ? Math.min(1, hi) : 1);
  return integer ? Math.ceil(base) : base;
}

function stringFor(s: Schema, key: string, hints: Hints): string {
  let v: string;
  if (s.format === "date") v = "2026-01-01";
  else if (s.format === "date-time") v = "2026-01-01T00:00:00Z";
  else if (s.format === "email") v = "demo@example.com";
  else if (s.format === "uri" || s.format === "url") v = "https://example.com/";
  else if (typeof s.default === "string") v = s.default;
  else if (typeof s.examples?.[0] === "string") v = s.examples[0] as string;
  else v = hints.strings.shift() ?? (key ? `demo ${key}` : "demo");
  if (s.maxLength !== undefined && v.length > s.maxLength) v = v.slice(0, s.maxLength);
  if (s.minLength !== undefined && v.length < s.minLength) v = v.padEnd(s.minLength, "x");
  return v;
}

/** A value valid for the schema: required properties (and every listed one), enum and const first, bounds kept. */
export function valueFor(schema: unknown, text = "", root?: Schema, key = "", hints: Hints = hintsFrom(text), depth = 0): unknown {
  const r = root ?? ((schema ?? {}) as Schema);
  const s = resolveRef((schema ?? {}) as Schema, r);
  if (depth > 8) return null;
  if (s.const !== undefined) return s.const;
  if (Array.isArray(s.enum) && s.enum.length > 0) {
    const hit = s.enum.find((e) => typeof e === "string" && text.toLowerCase().includes(e.toLowerCase()));
    return hit ?? s.enum[0];
  }
  const alt = s.anyOf ?? s.oneOf;
  if (alt?.length) return valueFor(alt.find((a) => firstType(resolveRef(a, r)) !== "null") ?? alt[0], text, r, key, hints, depth + 1);
  if (s.allOf?.length) return valueFor(Object.assign({}, ...s.allOf.map((a) => resolveRef(a, r))), text, r, key, hints, depth + 1);
  switch (firstType(s)) {
    case "object": {
      const out: Record<string, unknown> = {};
      for (const [k, p] of Object.entries(s.properties ?? {})) out[k] = valueFor(p, text, r, k, hints, depth + 1);
      return out;
    }
    case "array": {
      const n = Math.max(1, s.minItems ?? 0);
      return Array.from({ length: n }, () => valueFor(s.items ?? { type: "string" }, text, r, key, hints, depth + 1));
    }
    case "string":
      return stringFor(s, key, hints);
    case "integer":
      return numberFor(s, hints, true);
    case "number":
      return numberFor(s, hints, false);
    case "boolean":
      return true;
    case "null":
      return null;
    default:
      return key ? `demo ${key}` : {};
  }
}

const ASKS_FOR_TOOLS = /\b(use|call|run|invoke|check|look up|fetch|tool)\b|调用|使用|查询|查一下|工具/i;

/** A tool's name as a person would write it: get_weather → "get weather". */
function spoken(name: string): string {
  return name.replace(/[_-]+/g, " ").toLowerCase();
}

export type PlannedCall = { id: string; name: string; arguments: string };

/**
 * The calls the demo model makes for this request, or none: a tool the request forces
 * (tool_choice), the tools the last user message names, or with "required" or a plain request to
 * use a tool, the first one. Several only when parallel tool calls are allowed.
 */
export function planToolCalls(p: { tools: DemoTool[]; toolChoice: unknown; parallel: boolean; lastUser: string; seed: string }): PlannedCall[] {
  const tools = p.tools.filter((t): t is { type: string; function: { name: string; parameters?: unknown } } => typeof t?.function?.name === "string");
  if (tools.length === 0 || p.toolChoice === "none") return [];
  const text = p.lastUser.toLowerCase();
  let chosen: typeof tools;
  const forced = p.toolChoice && typeof p.toolChoice === "object" ? (p.toolChoice as { function?: { name?: string } }).function?.name : undefined;
  if (forced) chosen = tools.filter((t) => t.function.name === forced).slice(0, 1);
  else {
    chosen = tools.filter((t) => text.includes(t.function.name.toLowerCase()) || text.includes(spoken(t.function.name)));
    if (chosen.length === 0 && (p.toolChoice === "required" || ASKS_FOR_TOOLS.test(p.lastUser))) chosen = tools.slice(0, 1);
  }
  if (!p.parallel) chosen = chosen.slice(0, 1);
  const hints = hintsFrom(p.lastUser);
  return chosen.map((t, i) => ({
    id: `call_${hash(`${p.seed}\u0000${t.function.name}\u0000${i}`).toString(36).padStart(7, "0")}${i}`,
    name: t.function.name,
    arguments: JSON.stringify(valueFor(t.function.parameters ?? { type: "object", properties: {} }, p.lastUser, undefined, "", hints)),
  }));
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** The demo model's answer once tools have answered: it reports what each returned. */
export function answerFromToolResults(results: { name: string; content: string }[], zh: boolean): string {
  const clip = (s: string) => (s.length > 600 ? `${s.slice(0, 600)}…` : s);
  if (zh) return results.map((r) => `根据 ${r.name} 的结果：${clip(r.content)}`).join("\n\n") + "\n\n（本回答由 Unitoken 演示模型根据工具结果生成。）";
  return (
    results.map((r) => `Based on the ${r.name} result: ${clip(r.content)}`).join("\n\n") +
    "\n\n(This answer comes from the Unitoken demo model, using the tool results.)"
  );
}

/** JSON for response_format: an object matching the schema (json_schema) or a small object (json_object). */
export function structuredAnswer(
  format: { type?: unknown; json_schema?: { schema?: unknown } } | null | undefined,
  prompt: string,
  reply: string,
): string | null {
  if (!format || typeof format !== "object") return null;
  if (format.type === "json_schema") return JSON.stringify(valueFor(format.json_schema?.schema ?? { type: "object", properties: {} }, prompt));
  if (format.type === "json_object") return JSON.stringify({ answer: reply.split("\n")[0] ?? reply, source: "unitoken-demo" });
  return null;
}
