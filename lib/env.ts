import "server-only";
import { parseEnv } from "./env-schema";

/**
 * The app's only reader of process.env (CLIs call parseEnv themselves). Every variable is
 * documented in .env.example. Provider keys are looked up by the name the catalog gives.
 */
export const env = parseEnv(process.env);

/** A provider's key or base-URL override, by the variable name the catalog names. */
export function providerEnv(name: string): string | undefined {
  const v = process.env[name];
  return v && v.length > 0 ? v : undefined;
}
