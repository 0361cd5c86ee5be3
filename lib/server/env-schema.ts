import { z } from "zod";

const bool = z
  .enum(["true", "false", "1", "0", "on", "off", ""])
  .optional()
  .transform((v) => (v === undefined || v === "" ? undefined : ["true", "1", "on"].includes(v)));

const optionalUrl = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined))
  .pipe(z.string().url().optional());

const optionalText = z
  .string()
  .optional()
  .transform((v) => (v ? v : undefined));

export const envSchema = z.object({
  NODE_ENV: z.enum(["development", "production", "test"]).default("development"),
  DATABASE_URL: optionalUrl,
  DATABASE_MIGRATION_URL: optionalUrl,
  DATABASE_DRIVER: z.enum(["neon", "node"]).default("neon"),
  DATABASE_POOL_MAX: z.coerce.number().int().min(1).max(1000).default(10),
  NEON_WS_PROXY: z.string().optional(),
  PGLITE_DIR: z.string().default("./.data/pglite"),
  DEMO_MODE: bool,
  DEMO_PUBLIC: bool,
  DEMO_UPSTREAM_SECRET: z.string().min(16).optional(),
  AUTH_SECRET: z.string().min(16).optional(),
  SMS_SENDER: z.enum(["console", "http", "aliyun"]).default("console"),
  SMS_IP_HOURLY_LIMIT: z.coerce.number().int().positive().default(30),
  SMS_PHONE_HOURLY_LIMIT: z.coerce.number().int().positive().default(5),
  SMS_PHONE_DAILY_LIMIT: z.coerce.number().int().positive().default(10),
  SMS_GLOBAL_HOURLY_LIMIT: z.coerce.number().int().positive().default(1000),
  SMS_HTTP_URL: optionalUrl,
  SMS_HTTP_SECRET: optionalText.pipe(z.string().min(16).optional()),
  ALIYUN_SMS_ACCESS_KEY_ID: optionalText,
  ALIYUN_SMS_ACCESS_KEY_SECRET: optionalText,
  ALIYUN_SMS_SIGN_NAME: optionalText,
  ALIYUN_SMS_TEMPLATE_SIGN_IN: optionalText,
  ALIYUN_SMS_TEMPLATE_PURCHASE: optionalText,
  ALIYUN_SMS_TEMPLATE_INVITE: optionalText,
  ALIYUN_SMS_TEMPLATE_ALERT: optionalText,
  ALIYUN_SMS_TEMPLATE_NOTICE: optionalText,
  ALIYUN_SMS_ENDPOINT: optionalText,
  /** Where `npm run dev` and `npm start` (server.mjs) listen; read by them before the app starts, checked here. */
  PORT: optionalText.pipe(z.coerce.number<string | undefined>().int().min(1).max(65535).optional()),
  TRUSTED_PROXY_HOPS: z.coerce.number().int().min(0).max(10).default(0),
  CRON_SECRET: z.string().optional(),
  DEMO_UPSTREAM_URL: optionalUrl,
  REFERENCE_PRICE_USD_PER_M: z.coerce.number().positive().optional(),
  HOLD_TTL_SECONDS: z.coerce.number().int().positive().default(600),
  HOLD_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  /** Seconds between in-process checks for a new cycle, which run the monthly rollover once (0 = off). */
  ROLLOVER_CHECK_SECONDS: z.coerce.number().int().min(0).default(60),
  API_RATE_LIMIT_RPM: z.coerce.number().int().positive().default(60),
  /** redis:// or rediss://: the per-key rate limit counts there (shared by every instance); unset = PostgreSQL, or in-process when embedded. */
  REDIS_URL: z
    .string()
    .optional()
    .transform((v) => (v ? v : undefined))
    .pipe(
      z
        .string()
        .url()
        .refine((v) => /^rediss?:\/\//.test(v), "must start with redis:// or rediss://")
        .optional(),
    ),
  /** How a model's routes are ordered unless a request or key says otherwise (lib/routing). */
  ROUTE_SORT: z.enum(["price", "latency", "throughput", "balanced"]).default("price"),
  /** A route with another after it gets this long to produce its first output before the next is tried. */
  ROUTE_ATTEMPT_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(10_000),
  /** No other route is tried after this long from the first call. */
  ROUTE_FAILOVER_DEADLINE_MS: z.coerce.number().int().min(100).max(600_000).default(30_000),
  /** Consecutive failures that take a route out, and for how long. */
  ROUTE_FAILURE_THRESHOLD: z.coerce.number().int().min(1).max(100).default(3),
  ROUTE_COOL_DOWN_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
  /** A models.dev-format catalog (e.g. https://models.dev/api.json) refreshed into the database; unset = the bundled one. */
  CATALOG_URL: z.string().url().optional(),
  CATALOG_REFRESH_HOURS: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 30)
    .default(24),
});

export type AppEnv = ReturnType<typeof parseEnv>;

/**
 * Demo mode shows every texted code at /dev/sms and opens the dev routes: on only with
 * DEMO_MODE=true, and under NODE_ENV=production only when DEMO_PUBLIC=true declares a public demo
 * (throws otherwise). next.config.ts runs this when `next start` loads it, so the server exits.
 */
export function checkDemoMode(source: { NODE_ENV?: string; DEMO_MODE?: string | boolean; DEMO_PUBLIC?: string | boolean }): boolean {
  const on = (v: string | boolean | undefined) => v === true || (typeof v === "string" && ["true", "1", "on"].includes(v));
  const demoMode = on(source.DEMO_MODE);
  if (source.NODE_ENV === "production" && demoMode && !on(source.DEMO_PUBLIC)) {
    throw new Error(
      "Invalid environment: DEMO_MODE=true in production shows every sign-in code to anyone; set DEMO_PUBLIC=true as well to run a public demo, or unset DEMO_MODE",
    );
  }
  return demoMode;
}

/** Parses and validates an environment; used by lib/server/env.ts for the app and by the CLIs. */
export function parseEnv(source: Record<string, string | undefined>) {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const raw = parsed.data;
  const isProduction = raw.NODE_ENV === "production";
  const demoMode = checkDemoMode(raw);
  // Checked when the server starts, not while `next build` collects pages (the build may lack the run's secrets).
  const smsProblems = source.NEXT_PHASE === "phase-production-build" ? [] : smsSenderProblems(raw, { isProduction, demoMode });
  if (smsProblems.length) throw new Error(`Invalid environment: ${smsProblems.join("; ")}`);
  return {
    ...raw,
    isProduction,
    demoMode,
    /** A hosted demo (demo mode under NODE_ENV=production, or DEMO_PUBLIC=true): every page says so. */
    demoPublic: demoMode && (isProduction || raw.DEMO_PUBLIC === true),
  };
}

/** The SMS channel must reach a phone: no console sender on a real deployment. */
function smsSenderProblems(raw: z.infer<typeof envSchema>, { isProduction, demoMode }: { isProduction: boolean; demoMode: boolean }): string[] {
  const problems: string[] = [];
  if (raw.SMS_SENDER === "console" && isProduction && !demoMode) {
    problems.push("SMS_SENDER: console only logs texts; set http or aliyun in production");
  }
  const need = (names: (keyof typeof raw)[]) => {
    for (const n of names) if (!raw[n]) problems.push(`${n}: required with SMS_SENDER=${raw.SMS_SENDER}`);
  };
  if (raw.SMS_SENDER === "http") need(["SMS_HTTP_URL", "SMS_HTTP_SECRET"]);
  if (raw.SMS_SENDER === "aliyun")
    need(["ALIYUN_SMS_ACCESS_KEY_ID", "ALIYUN_SMS_ACCESS_KEY_SECRET", "ALIYUN_SMS_SIGN_NAME", "ALIYUN_SMS_TEMPLATE_SIGN_IN", "ALIYUN_SMS_TEMPLATE_PURCHASE"]);
  return problems;
}
