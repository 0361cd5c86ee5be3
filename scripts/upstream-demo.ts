/**
 * The standalone demo upstream (OpenAI-compatible), for tests and benchmarks:
 *
 *   npm run upstream:demo -- --port 4010 [--host 127.0.0.1] [--ttft-ms 250] [--tps 80] [--any-model] [--secret S]
 *
 * Same handler as the in-app /api/demo-upstream/v1; per-request knobs are x-demo-* headers
 * (see lib/demo/upstream/server.ts). With --secret (or DEMO_UPSTREAM_SECRET), only calls that
 * carry it in x-demo-secret are answered: give the app the same DEMO_UPSTREAM_SECRET.
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDemoHandler } from "@/lib/demo/upstream/server";
import { startDemoUpstream } from "@/lib/demo/upstream/node-server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    "ttft-ms": { type: "string" },
    tps: { type: "string" },
    "any-model": { type: "boolean", default: false },
    secret: { type: "string" },
  },
});

const args = z
  .object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    ttftMs: z.coerce.number().int().min(0).optional(),
    tps: z.coerce.number().int().min(0).optional(),
    anyModel: z.boolean(),
    secret: z.string().min(16).optional(),
  })
  .parse({
    port: values.port,
    host: values.host,
    ttftMs: values["ttft-ms"],
    tps: values.tps,
    anyModel: values["any-model"],
    secret: values.secret ?? (process.env.DEMO_UPSTREAM_SECRET || undefined),
  });

const handler = createDemoHandler({
  defaults: { ...(args.ttftMs !== undefined ? { ttftMs: args.ttftMs } : {}), ...(args.tps !== undefined ? { tps: args.tps } : {}) },
  anyModel: args.anyModel,
  secret: args.secret,
});
const server = await startDemoUpstream({ port: args.port, host: args.host, handler });
console.log(`demo upstream listening on ${server.baseUrl} (POST /chat/completions, GET /models)`);

for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.on(sig, () => {
    void server.close().then(() => process.exit(0));
  });
