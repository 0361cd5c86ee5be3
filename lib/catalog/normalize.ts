/**
 * Turning provider-specific model ids into one catalog slug, so that
 * "anthropic.claude-sonnet-4-20250514-v1:0" (Bedrock), "claude-sonnet-4@20250514" (Vertex)
 * and "anthropic/claude-sonnet-4" (OpenRouter) land on the same model.
 */

const VENDOR_DOT_PREFIX =
  /^(?:us\.|eu\.|apac\.|global\.)?(?:anthropic|meta|amazon|cohere|mistral|ai21|deepseek|qwen|openai|writer|moonshot|moonshotai|twelvelabs)\./;
const ROUTE_SUFFIX = /:(?:free|exacto|beta|thinking|extended|nitro|floor)$/;
const QUANT_SUFFIX = /-(?:fp8|fp16|bf16|int4|int8|awq|gguf|mlx)$/;

/** First pass: lowercase, last path segment, vendor prefixes and serving suffixes removed. */
export function baseSlug(rawId: string): string {
  let s = rawId.toLowerCase().trim();
  s = s.replace(ROUTE_SUFFIX, "");
  s = s.split("/").pop() ?? s;
  s = s.replace(/^hf:/, "");
  s = s.replace(VENDOR_DOT_PREFIX, "");
  s = s.replace(/-v\d+:\d+$/, "").replace(/:\d+$/, "");
  s = s.replace(/@(\d{8})$/, "-$1");
  s = s.replace(/(\d)\.(\d)/g, "$1-$2").replace(/(\d)\.(\d)/g, "$1-$2");
  for (let i = 0; i < 3; i++) {
    const before = s;
    s = s
      .replace(QUANT_SUFFIX, "")
      .replace(/-instruct$/, "")
      .replace(/-latest$/, "");
    if (s === before) break;
  }
  s = s
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/-+/g, "-")
    .replace(/^-|-$/g, "");
  return s;
}

const DATED = /^(.*)-(\d{8})$/;

/**
 * Second pass over all slugs: "claude-3-5-haiku-20241022" folds into "claude-3-5-haiku" when
 * that is the only dated snapshot of the base; two snapshots (e.g. Sonnet 3.5 of June and
 * October) stay apart because they are different models.
 */
export function collapseDates(slugs: Iterable<string>): Map<string, string> {
  const datesByBase = new Map<string, Set<string>>();
  const all = new Set(slugs);
  for (const s of all) {
    const m = DATED.exec(s);
    if (!m) continue;
    const set = datesByBase.get(m[1]) ?? new Set<string>();
    set.add(m[2]);
    datesByBase.set(m[1], set);
  }
  const out = new Map<string, string>();
  for (const s of all) {
    const m = DATED.exec(s);
    out.set(s, m && datesByBase.get(m[1])!.size === 1 ? m[1] : s);
  }
  return out;
}

const FAMILIES: [RegExp, string][] = [
  [/^(gpt|o\d|chatgpt|codex)/, "GPT"],
  [/^claude/, "Claude"],
  [/^(gemini|gemma)/, "Gemini"],
  [/deepseek|^r1$/, "DeepSeek"],
  [/^(qwen|qwq)/, "Qwen"],
  [/llama/, "Llama"],
  [/^(glm|chatglm)/, "GLM"],
  [/^kimi/, "Kimi"],
  [/^grok/, "Grok"],
  [/mistral|mixtral|codestral|devstral|magistral|ministral|pixtral/, "Mistral"],
  [/^phi/, "Phi"],
  [/^(command|cohere)/, "Command"],
  [/^nova/, "Nova"],
  [/^sonar/, "Sonar"],
  [/^(hermes|deephermes|nous)/, "Hermes"],
  [/nemotron/, "Nemotron"],
];

export function familyOf(slug: string): string | undefined {
  for (const [re, name] of FAMILIES) if (re.test(slug)) return name;
  return undefined;
}
