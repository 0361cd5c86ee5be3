import { describe, expect, it } from "vitest";
import { parseEnv } from "./env-schema";

describe("parseEnv", () => {
  it("defaults to the embedded database in demo mode with a 10-connection pool", () => {
    const e = parseEnv({});
    expect(e.DATABASE_URL).toBeUndefined();
    expect(e).toMatchObject({ DATABASE_DRIVER: "neon", DATABASE_POOL_MAX: 10, demoMode: true, API_RATE_LIMIT_RPM: 60 });
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
