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

describe("SMS channel and client IP settings", () => {
  const prod = { NODE_ENV: "production", DATABASE_URL: "postgres://u@db:5432/app", AUTH_SECRET: "0123456789abcdef0123" };

  it("refuses the console SMS sender in production outside demo mode, at start (not during next build)", () => {
    expect(() => parseEnv(prod)).toThrow(/SMS_SENDER/);
    expect(() => parseEnv({ ...prod, SMS_SENDER: "console" })).toThrow(/SMS_SENDER/);
    expect(parseEnv({ ...prod, NEXT_PHASE: "phase-production-build" }).SMS_SENDER).toBe("console");
    expect(parseEnv({ ...prod, DEMO_MODE: "true", DEMO_PUBLIC: "true" }).SMS_SENDER).toBe("console");
    expect(parseEnv({ DATABASE_URL: prod.DATABASE_URL }).SMS_SENDER).toBe("console");
  });

  it("needs a URL and a secret for the HTTP sender", () => {
    expect(() => parseEnv({ ...prod, SMS_SENDER: "http" })).toThrow(/SMS_HTTP_URL.*SMS_HTTP_SECRET/);
    expect(() => parseEnv({ ...prod, SMS_SENDER: "http", SMS_HTTP_URL: "https://sms.example.cn/send", SMS_HTTP_SECRET: "short" })).toThrow(/SMS_HTTP_SECRET/);
    expect(parseEnv({ ...prod, SMS_SENDER: "http", SMS_HTTP_URL: "https://sms.example.cn/send", SMS_HTTP_SECRET: "0123456789abcdef" }).SMS_SENDER).toBe("http");
  });

  it("needs keys, a sign name and the code templates for Aliyun", () => {
    expect(() => parseEnv({ ...prod, SMS_SENDER: "aliyun", ALIYUN_SMS_ACCESS_KEY_ID: "id" })).toThrow(
      /ALIYUN_SMS_ACCESS_KEY_SECRET.*ALIYUN_SMS_SIGN_NAME.*ALIYUN_SMS_TEMPLATE_SIGN_IN.*ALIYUN_SMS_TEMPLATE_PURCHASE/,
    );
    const e = parseEnv({
      ...prod,
      SMS_SENDER: "aliyun",
      ALIYUN_SMS_ACCESS_KEY_ID: "id",
      ALIYUN_SMS_ACCESS_KEY_SECRET: "secret",
      ALIYUN_SMS_SIGN_NAME: "优尼令牌",
      ALIYUN_SMS_TEMPLATE_SIGN_IN: "SMS_1",
      ALIYUN_SMS_TEMPLATE_PURCHASE: "SMS_2",
    });
    expect(e).toMatchObject({ SMS_SENDER: "aliyun", ALIYUN_SMS_SIGN_NAME: "优尼令牌" });
    expect(e.ALIYUN_SMS_ENDPOINT).toBeUndefined();
  });

  it("defaults: no trusted proxy, SMS budgets per phone and in total", () => {
    expect(parseEnv({})).toMatchObject({ TRUSTED_PROXY_HOPS: 0, SMS_PHONE_HOURLY_LIMIT: 5, SMS_PHONE_DAILY_LIMIT: 10, SMS_GLOBAL_HOURLY_LIMIT: 1000 });
    expect(parseEnv({ TRUSTED_PROXY_HOPS: "2", SMS_GLOBAL_HOURLY_LIMIT: "50" })).toMatchObject({ TRUSTED_PROXY_HOPS: 2, SMS_GLOBAL_HOURLY_LIMIT: 50 });
    expect(() => parseEnv({ TRUSTED_PROXY_HOPS: "-1" })).toThrow(/TRUSTED_PROXY_HOPS/);
    expect(parseEnv({ PORT: "3001" }).PORT).toBe(3001);
    expect(parseEnv({ PORT: "" }).PORT).toBeUndefined();
    expect(() => parseEnv({ PORT: "http" })).toThrow(/PORT/);
  });
});

describe("REDIS_URL", () => {
  it("is optional, takes redis:// and rediss://, and refuses anything else naming the variable", () => {
    expect(parseEnv({}).REDIS_URL).toBeUndefined();
    expect(parseEnv({ REDIS_URL: "" }).REDIS_URL).toBeUndefined();
    expect(parseEnv({ REDIS_URL: "redis://127.0.0.1:6379/0" }).REDIS_URL).toBe("redis://127.0.0.1:6379/0");
    expect(parseEnv({ REDIS_URL: "rediss://:pw@cache.example.com:6380" }).REDIS_URL).toBe("rediss://:pw@cache.example.com:6380");
    for (const v of ["http://cache:6379", "cache:6379"]) expect(() => parseEnv({ REDIS_URL: v })).toThrow(/REDIS_URL/);
  });
});
