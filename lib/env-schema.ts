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
  SMS_SENDER: z.enum(["console"]).default("console"),
  SMS_IP_HOURLY_LIMIT: z.coerce.number().int().positive().default(30),
  CRON_SECRET: z.string().optional(),
  DEMO_UPSTREAM_URL: optionalUrl,
  REFERENCE_PRICE_USD_PER_M: z.coerce.number().positive().optional(),
  HOLD_TTL_SECONDS: z.coerce.number().int().positive().default(600),
  HOLD_SWEEP_INTERVAL_SECONDS: z.coerce.number().int().min(0).default(60),
  API_RATE_LIMIT_RPM: z.coerce.number().int().positive().default(60),
});

export type AppEnv = ReturnType<typeof parseEnv>;

/** Parses and validates an environment; used by lib/env.ts for the app and by the CLIs. */
export function parseEnv(source: Record<string, string | undefined>) {
  const parsed = envSchema.safeParse(source);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ")}`);
  }
  const raw = parsed.data;
  const isProduction = raw.NODE_ENV === "production";
  // Demo mode shows every texted code at /dev/sms and opens the dev routes: only on request.
  const demoMode = raw.DEMO_MODE === true;
  if (isProduction && demoMode && raw.DEMO_PUBLIC !== true) {
    throw new Error(
      "Invalid environment: DEMO_MODE=true in production shows every sign-in code to anyone; set DEMO_PUBLIC=true as well to run a public demo, or unset DEMO_MODE",
    );
  }
  return {
    ...raw,
    isProduction,
    demoMode,
    /** A hosted demo (demo mode under NODE_ENV=production, or DEMO_PUBLIC=true): every page says so. */
    demoPublic: demoMode && (isProduction || raw.DEMO_PUBLIC === true),
  };
}
