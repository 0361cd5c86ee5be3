import { mkdirSync } from "node:fs";
import path from "node:path";
import type { Database, DbKind } from "./types";
import * as schema from "./schema";
import { pgliteExtensions } from "./pglite-extensions";
import type { WebSocketConstructor } from "@neondatabase/serverless";
import { coalescingWebSocket } from "./ws-coalesce";

export type DbConfig = {
  url?: string;
  driver?: "neon" | "node";
  wsProxy?: string;
  pgliteDir?: string;
  /** Pool size for the PostgreSQL drivers. */
  max?: number;
};

export type DbHandle = {
  db: Database;
  kind: DbKind;
  driver: "pglite" | "neon" | "node";
  close: () => Promise<void>;
  /** Runs one SQL text with parameters; used by health checks and tools. */
  ping: () => Promise<void>;
};

export const MIGRATIONS_DIR = path.join(process.cwd(), "drizzle");

/** Opens the database the config names: PGlite in a folder, or PostgreSQL via Neon or node-postgres. */
export async function openDatabase(config: DbConfig): Promise<DbHandle> {
  if (!config.url) {
    const { PGlite } = await import("@electric-sql/pglite");
    const { drizzle } = await import("drizzle-orm/pglite");
    const dir = config.pgliteDir ?? "./.data/pglite";
    // pg_trgm backs conversation search; the migrations create it, so it must be loadable.
    const extensions = await pgliteExtensions();
    let client;
    if (dir === "memory://") {
      client = new PGlite({ extensions });
    } else {
      mkdirSync(dir, { recursive: true });
      client = new PGlite(dir, { extensions });
    }
    await client.waitReady;
    const db = drizzle(client, { schema }) as unknown as Database;
    return {
      db,
      kind: "pglite",
      driver: "pglite",
      close: () => client.close(),
      ping: async () => {
        await client.query("select 1");
      },
    };
  }
  if (config.driver === "node") {
    const pg = (await import("pg")).default;
    const { drizzle } = await import("drizzle-orm/node-postgres");
    const pool = new pg.Pool({ connectionString: config.url, max: config.max ?? 10 });
    // An idle connection the server ends (restart, scale to zero, forced drop) is an event, not a crash.
    pool.on("error", (err: Error) => console.error("[db] idle connection closed:", err.message));
    const db = drizzle(pool, { schema }) as unknown as Database;
    return {
      db,
      kind: "postgres",
      driver: "node",
      close: () => pool.end(),
      ping: async () => {
        await pool.query("select 1");
      },
    };
  }
  const { Pool, neonConfig } = await import("@neondatabase/serverless");
  const { drizzle } = await import("drizzle-orm/neon-serverless");
  // Node's own WebSocket where it has one (not in Node 20); `ws` through a local proxy.
  const Socket: WebSocketConstructor = typeof WebSocket === "undefined" || config.wsProxy ? (await import("ws")).default : WebSocket;
  neonConfig.webSocketConstructor = coalescingWebSocket(Socket);
  neonConfig.coalesceWrites = false;
  if (config.wsProxy) {
    // A plain PostgreSQL behind a local WebSocket-to-TCP proxy (tests, self-hosting).
    const proxy = config.wsProxy;
    neonConfig.wsProxy = (host, port) => `${proxy}/v1?address=${host}:${port}`;
    neonConfig.useSecureWebSocket = false;
    neonConfig.pipelineTLS = false;
    neonConfig.pipelineConnect = false;
  }
  const pool = new Pool({ connectionString: config.url, max: config.max ?? 10 });
  // An idle connection the server ends (restart, scale to zero, forced drop) is an event, not a crash.
  pool.on("error", (err: Error) => console.error("[db] idle connection closed:", err.message));
  const db = drizzle(pool, { schema }) as unknown as Database;
  return {
    db,
    kind: "postgres",
    driver: "neon",
    close: () => pool.end(),
    ping: async () => {
      await pool.query("select 1");
    },
  };
}

/** Applies drizzle/ migrations with the driver's own migrator. */
export async function migrateDatabase(handle: DbHandle, migrationsFolder = MIGRATIONS_DIR): Promise<void> {
  if (handle.driver === "pglite") {
    const { migrate } = await import("drizzle-orm/pglite/migrator");
    await migrate(handle.db as never, { migrationsFolder });
  } else if (handle.driver === "node") {
    const { migrate } = await import("drizzle-orm/node-postgres/migrator");
    await migrate(handle.db as never, { migrationsFolder });
  } else {
    const { migrate } = await import("drizzle-orm/neon-serverless/migrator");
    await migrate(handle.db as never, { migrationsFolder });
  }
}
