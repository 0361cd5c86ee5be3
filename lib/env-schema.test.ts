import { describe, expect, it } from "vitest";
import { parseEnv } from "./env-schema";

describe("parseEnv", () => {
  it("defaults to the embedded database with a 10-connection pool, demo mode off", () => {
    const e = parseEnv({});
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e).toMatchObject({ DATABASE_DRIVER: "neon", DATABASE_POOL_MAX: 10, demoMode: false, API_RATE_LIMIT_RPM: 60 });
  });

  it("turns demo mode on only when DEMO_MODE=true, never because the database is embedded", () => {
    expect(parseEnv({ NODE_ENV: "development" }).demoMode).toBe(false);
    expect(parseEnv({ NODE_ENV: "test" }).demoMode).toBe(false);
    expect(parseEnv({ DEMO_MODE: "false" }).demoMode).toBe(false);
    expect(parseEnv({ DEMO_MODE: "true" })).toMatchObject({ demoMode: true, demoPublic: false });
  });

  it("refuses demo mode in production unless DEMO_PUBLIC=true, and marks a public demo", () => {
    expect(() => parseEnv({ NODE_ENV: "production", DEMO_MODE: "true" })).toThrow(/DEMO_PUBLIC/);
    expect(parseEnv({ NODE_ENV: "production", DEMO_MODE: "true", DEMO_PUBLIC: "true" })).toMatchObject({ demoMode: true, demoPublic: true });
    // DEMO_PUBLIC alone turns nothing on (whatever else production then asks for).
    expect(() => parseEnv({ NODE_ENV: "production", DEMO_PUBLIC: "true" })).not.toThrow(/DEMO_PUBLIC/);
  });

  it("reads a database, its driver and pool size; demo mode is off for a real database unless asked", () => {
    const e = parseEnv({ DATABASE_URL: "postgres://u@db:5432/app", DATABASE_DRIVER: "node", DATABASE_POOL_MAX: "40" });
    expect(e).toMatchObject({ DATABASE_DRIVER: "node", DATABASE_POOL_MAX: 40, demoMode: false });
    expect(parseEnv({ DATABASE_URL: "postgres://u@db:5432/app", DEMO_MODE: "true" }).demoMode).toBe(true);
  });

  it("refuses a pool size that is not a positive integer, naming the variable", () => {
    for (const v of ["0", "-1", "2.5", "many"]) expect(() => parseEnv({ DATABASE_POOL_MAX: v })).toThrow(/DATABASE_POOL_MAX/);
  });
});
