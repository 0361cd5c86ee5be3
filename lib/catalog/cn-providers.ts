import { z } from "zod";
import data from "./data/cn-providers.json";
import type { RawCatalog, RawModel, RawProvider } from "./build";

/**
 * The Chinese providers' OpenAI-compatible endpoints, as data (lib/catalog/data/cn-providers.json):
 * base URL, key variable, capabilities, context windows and list prices in CNY from each
 * vendor's price page, with the date they were checked. Each provider says which models' facts
 * were confirmed in which source on which day (`verified`); a model no source confirmed carries
 * `unverified: true` and keeps its earlier value. Validated here; merged over the models.dev
 * dataset with prices converted at the catalog's CNY/USD rate.
 */

/** What the gateway itself puts in every upstream request body. */
const RESERVED_BODY_FIELDS = new Set(["model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "n"]);

const price = z.number().min(0).max(10_000);
const day = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const cnModel = z
  .object({
    id: z.string().min(1).max(200),
    /** Groups this route with a model the catalog already knows under another slug. */
    catalogSlug: z
      .string()
      .regex(/^[a-z0-9][a-z0-9-]*$/)
      .optional(),
    name: z.string().min(1).max(200),
    context: z.number().int().positive(),
    output: z.number().int().positive(),
    tools: z.boolean(),
    reasoning: z.boolean(),
    imageInput: z.boolean(),
    price: z.object({ input: price, output: price, cachedInput: price.optional() }).strict(),
    /** Which tier of a tiered price this is. */
    tier: z.string().max(200).optional(),
    /**
     * Fields every request on this route sends beside the model id, e.g. DeepSeek's
     * `{"thinking": {"type": "disabled"}}` for its non-thinking mode. Never a field the gateway
     * sets itself.
     */
    body: z
      .record(z.string().regex(/^[a-z_]+$/), z.json())
      .refine((b) => !Object.keys(b).some((k) => RESERVED_BODY_FIELDS.has(k)), { message: "body may not set a field the gateway sets" })
      .optional(),
    /** No source confirmed this model's id, limits or price at the last check: the value is the earlier one. */
    unverified: z.literal(true).optional(),
    /** What a reader of the file should know about this route beyond its price, e.g. that the vendor retired the id, and where that is stated. */
    note: z.string().min(1).max(400).optional(),
    /**
     * The day the vendor took this id offline (its notice goes in `note`): the route is no longer
     * offered, and the dataset's route of the same id goes with it.
     */
    retired: day.optional(),
  })
  .strict()
  .refine((m) => m.output <= m.context, { message: "output limit above the context window" })
  .refine((m) => m.retired === undefined || m.note !== undefined, { message: "a retired model's note says where the retirement is stated" });

const cnProvider = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
    name: z.string().min(1),
    nameZh: z.string().min(1),
    baseUrl: z.string().url().startsWith("https://"),
    keyEnv: z.string().regex(/^[A-Z][A-Z0-9_]*$/),
    firstParty: z.boolean(),
    pricePage: z.string().url().startsWith("https://"),
    /** Where and when the listed models' (by id) prices were confirmed; the note says what else the source confirmed. */
    verified: z
      .array(
        z
          .object({
            source: z.string().url().startsWith("https://"),
            checked: day,
            models: z.array(z.string().min(1)).min(1),
            note: z.string().max(500).optional(),
          })
          .strict(),
      )
      .default([]),
    models: z.array(cnModel).min(1),
  })
  .strict()
  .superRefine((p, ctx) => {
    const ids = new Set(p.models.map((m) => m.id));
    const confirmed = new Set(p.verified.flatMap((v) => v.models));
    for (const id of confirmed) {
      if (!ids.has(id)) ctx.addIssue({ code: "custom", message: `${p.id}: verified names ${id}, which is not one of its models` });
    }
    const keys = new Set<string>();
    for (const m of p.models) {
      // Every model is accounted for: confirmed by a source, or marked as not confirmed; never both.
      if (confirmed.has(m.id) === (m.unverified === true)) {
        ctx.addIssue({ code: "custom", message: `${p.id}/${m.id}: list it in verified or mark it unverified: true (not both)` });
      }
      const key = m.catalogSlug ?? m.id;
      if (keys.has(key)) ctx.addIssue({ code: "custom", message: `${p.id}: two models join ${key}` });
      keys.add(key);
    }
  });

export const cnProvidersFile = z
  .object({
    checkedAt: day,
    currency: z.literal("CNY"),
    unit: z.literal("per 1M tokens"),
    note: z.string().optional(),
    providers: z.array(cnProvider).min(1),
  })
  .strict()
  .refine((f) => new Set(f.providers.map((p) => p.id)).size === f.providers.length, { message: "provider ids must be unique" });

export type CnProvidersFile = z.output<typeof cnProvidersFile>;

/** The bundled file, validated once (a malformed file fails the build's tests, never a request). */
export const cnProviders: CnProvidersFile = cnProvidersFile.parse(data);

/** CNY per 1M → USD per 1M at the catalog's rate, rounded up to a micro-dollar (what weights are made of). */
function usd(cny: number, cnyPerUsd: number): number {
  return Math.ceil((cny / cnyPerUsd) * 1e6 - 1e-6) / 1e6;
}

/**
 * The dataset with the CNY providers merged in: a provider the dataset already has takes this
 * file's endpoint and key variable, and this file's models replace its models of the same id (and
 * of the same slug, for a model that joins one through `catalogSlug`, e.g. a vendor's current id
 * standing in for a retired one); the dataset's other models stay. A model the file marks retired
 * is dropped, the dataset's route of that id too.
 */
export function mergeCnProviders(raw: RawCatalog, file: CnProvidersFile, cnyPerUsd: number): RawCatalog {
  const out: RawCatalog = { ...raw };
  for (const p of file.providers) {
    const models: Record<string, RawModel> = { ...(raw[p.id]?.models ?? {}) };
    for (const m of p.models) {
      delete models[m.id];
      if (m.retired) {
        if (m.catalogSlug) delete models[m.catalogSlug];
        continue;
      }
      models[m.catalogSlug ?? m.id] = {
        id: m.id,
        name: m.name,
        reasoning: m.reasoning,
        tool_call: m.tools,
        temperature: true,
        modalities: { input: m.imageInput ? ["text", "image"] : ["text"], output: ["text"] },
        cost: {
          input: usd(m.price.input, cnyPerUsd),
          output: usd(m.price.output, cnyPerUsd),
          ...(m.price.cachedInput !== undefined ? { cache_read: usd(m.price.cachedInput, cnyPerUsd) } : {}),
        },
        limit: { context: m.context, output: m.output },
        ...(m.catalogSlug ? { catalogSlug: m.catalogSlug } : {}),
        ...(m.body ? { extraBody: m.body } : {}),
      };
    }
    const provider: RawProvider = {
      id: p.id,
      name: raw[p.id]?.name ?? p.name,
      api: p.baseUrl,
      npm: "@ai-sdk/openai-compatible",
      doc: p.pricePage,
      env: [p.keyEnv],
      firstParty: p.firstParty,
      models,
    };
    out[p.id] = provider;
  }
  return out;
}
