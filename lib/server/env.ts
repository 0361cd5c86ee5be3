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

/**
 * Where this server itself listens, for its calls to itself (the in-app demo upstream): what
 * `next start` / `next dev` / server.mjs recorded when the socket opened, never a request's Host or
 * X-Forwarded-Host (a client could name any host there and have the server call it).
 */
export function serverOrigin(): string {
  const recorded = process.env.__NEXT_PRIVATE_ORIGIN;
  if (recorded) {
    try {
      const u = new URL(recorded);
      if (u.hostname === "localhost") u.hostname = "127.0.0.1";
      return u.origin;
    } catch {
      // fall through to the port
    }
  }
  return `http://127.0.0.1:${Number(process.env.PORT) || 3000}`;
}
