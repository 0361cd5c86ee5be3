/**
 * The demo upstream's embeddings: deterministic vectors by feature hashing, so texts that share
 * words (or, in Chinese, characters and pairs of them) point the same way and a knowledge-base
 * search over them behaves like one. Unit length; `dimensions` shortens; usage counts the input
 * with o200k_base (token id arrays by their length), as the gateway counts it.
 */
import { countTokens } from "@/lib/metering";

function hash(s: string, seed: number): number {
  let h = 2166136261 ^ seed;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** Words (lower-cased), and for CJK text each character and each pair of neighbours. */
function features(text: string): string[] {
  const out: string[] = [];
  for (const w of text.toLowerCase().match(/[\p{L}\p{N}]+/gu) ?? []) {
    if (/[\u3400-\u9fff]/.test(w)) {
      const chars = Array.from(w);
      chars.forEach((c, i) => {
        out.push(c);
        if (i + 1 < chars.length) out.push(c + chars[i + 1]);
      });
    } else out.push(w);
  }
  return out;
}

/** A unit vector of `dims` numbers for the text (or token ids), the same every time. */
export function demoEmbedding(input: string | number[], dims: number): number[] {
  const v = new Float64Array(dims);
  const feats = typeof input === "string" ? features(input) : input.map((t) => `#${t}`);
  if (feats.length === 0) feats.push("\u0000empty");
  for (const f of feats)
    for (let k = 0; k < 4; k++) {
      const h = hash(f, k);
      v[h % dims]! += h & 0x80000000 ? -1 : 1;
    }
  let norm = 0;
  for (const x of v) norm += x * x;
  norm = Math.sqrt(norm) || 1;
  return Array.from(v, (x) => Math.round((x / norm) * 1e7) / 1e7);
}

/** Default vector length per model id; others get 1536. */
const DIMS: Record<string, number> = { "text-embedding-3-large": 3072 };

export type DemoEmbeddingsBody = { model?: unknown; input?: unknown; dimensions?: unknown };

/** The OpenAI-shaped reply for an embeddings request, or an error message for a bad body. */
export function demoEmbeddings(body: DemoEmbeddingsBody): { ok: true; reply: unknown } | { ok: false; message: string } {
  const model = typeof body.model === "string" ? body.model : "";
  if (!model) return { ok: false, message: "model is required" };
  const raw = body.input;
  const list: (string | number[])[] =
    typeof raw === "string"
      ? [raw]
      : Array.isArray(raw) && raw.length > 0 && raw.every((x) => typeof x === "number")
        ? [raw as number[]]
        : Array.isArray(raw) &&
            raw.length > 0 &&
            raw.length <= 2048 &&
            raw.every((x) => typeof x === "string" || (Array.isArray(x) && x.every((t) => typeof t === "number")))
          ? (raw as (string | number[])[])
          : [];
  if (list.length === 0) return { ok: false, message: "input must be a string, an array of strings or of token arrays" };
  const max = DIMS[model] ?? 1536;
  const dims = typeof body.dimensions === "number" && Number.isInteger(body.dimensions) && body.dimensions > 0 ? Math.min(body.dimensions, max) : max;
  const tokens = list.reduce((n, x) => n + (typeof x === "string" ? countTokens(x) : x.length), 0);
  return {
    ok: true,
    reply: {
      object: "list",
      data: list.map((x, index) => ({ object: "embedding", index, embedding: demoEmbedding(x, dims) })),
      model,
      usage: { prompt_tokens: tokens, total_tokens: tokens },
    },
  };
}
