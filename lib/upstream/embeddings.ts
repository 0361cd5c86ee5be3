/**
 * One call to an OpenAI-compatible `/embeddings` endpoint (a provider or the demo upstream). The
 * vectors are asked for as floats; the caller encodes them as the client asked.
 */
import { Agent } from "undici";
import type { ResolvedRoute } from "@/lib/catalog";
import { UpstreamError, codeForStatus, toUpstreamError } from "./errors";

export type EmbeddingsInput = {
  route: Pick<ResolvedRoute, "providerId" | "providerModelId" | "baseUrl" | "apiKey" | "kind">;
  /** Texts, or texts already tokenized (token ids). */
  input: string[] | number[][];
  dimensions?: number;
  user?: string;
  signal?: AbortSignal;
  /** Extra headers (x-demo-* go to the demo upstream only). */
  headers?: Record<string, string>;
};

export type EmbeddingsResult = {
  vectors: number[][];
  /** Input tokens the provider reported; null when it reported none. */
  promptTokens: number | null;
};

const dispatcher = new Agent({ connections: 64 });

/** The vectors in input order, or an UpstreamError (nothing was produced: the call is not charged). */
export async function createEmbeddings(input: EmbeddingsInput): Promise<EmbeddingsResult> {
  const { route } = input;
  const headers: Record<string, string> = { "content-type": "application/json", accept: "application/json", "user-agent": "unitoken" };
  if (route.apiKey) headers.authorization = `Bearer ${route.apiKey}`;
  for (const [k, v] of Object.entries(input.headers ?? {})) {
    const name = k.toLowerCase();
    if (name in headers || name === "host" || name === "content-length") continue;
    if (name.startsWith("x-demo-") && route.kind !== "demo") continue;
    headers[name] = v;
  }
  const body = JSON.stringify({
    model: route.providerModelId,
    input: input.input,
    encoding_format: "float",
    ...(input.dimensions === undefined ? {} : { dimensions: input.dimensions }),
    ...(input.user === undefined ? {} : { user: input.user }),
  });
  let res;
  try {
    res = await dispatcher.request({
      origin: new URL(route.baseUrl).origin,
      path: `${new URL(route.baseUrl).pathname.replace(/\/+$/, "")}/embeddings`,
      method: "POST",
      headers,
      body,
      signal: input.signal,
    });
  } catch (err) {
    throw toUpstreamError(err, { phase: "before-first-token", providerId: route.providerId, aborted: input.signal?.aborted });
  }
  const text = await res.body.text();
  if (res.statusCode < 200 || res.statusCode >= 300) {
    let message = text.slice(0, 500) || `HTTP ${res.statusCode}`;
    try {
      const j = JSON.parse(text) as { error?: { message?: string } };
      if (typeof j.error?.message === "string") message = j.error.message;
    } catch {
      /* not JSON */
    }
    throw new UpstreamError({
      code: codeForStatus(res.statusCode),
      status: res.statusCode,
      phase: "before-first-token",
      providerId: route.providerId,
      message,
    });
  }
  let parsed: { data?: { index?: number; embedding?: unknown }[]; usage?: { prompt_tokens?: number } };
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new UpstreamError({ code: "upstream_error", phase: "before-first-token", providerId: route.providerId, message: "invalid JSON from the provider" });
  }
  const n = input.input.length;
  const vectors: number[][] = new Array(n);
  for (const [i, d] of (parsed.data ?? []).entries()) {
    const at = typeof d.index === "number" ? d.index : i;
    if (at >= 0 && at < n && Array.isArray(d.embedding) && d.embedding.every((x) => typeof x === "number")) vectors[at] = d.embedding as number[];
  }
  for (let i = 0; i < n; i++)
    if (!vectors[i])
      throw new UpstreamError({
        code: "upstream_error",
        phase: "before-first-token",
        providerId: route.providerId,
        message: "the provider returned too few embeddings",
      });
  const pt = parsed.usage?.prompt_tokens;
  return { vectors, promptTokens: typeof pt === "number" && Number.isSafeInteger(pt) && pt >= 0 ? pt : null };
}
