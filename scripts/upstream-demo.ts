/**
 * The standalone demo upstream (OpenAI-compatible), for tests and benchmarks:
 *
 *   npm run upstream:demo -- --port 4010 [--host 127.0.0.1] [--ttft-ms 250] [--tps 80] [--any-model]
 *
 * Same handler as the in-app /api/demo-upstream/v1; per-request knobs are x-demo-* headers
 * (see lib/upstream/demo-server.ts).
 */
import { parseArgs } from "node:util";
import { z } from "zod";
import { createDemoHandler } from "@/lib/upstream/demo-server";
import { startDemoUpstream } from "@/lib/upstream/node-server";

const { values } = parseArgs({
  options: {
    port: { type: "string", default: "4010" },
    host: { type: "string", default: "127.0.0.1" },
    "ttft-ms": { type: "string" },
    tps: { type: "string" },
    "any-model": { type: "boolean", default: false },
  },
});

const args = z
  .object({
    port: z.coerce.number().int().min(0).max(65535),
    host: z.string().min(1),
    ttftMs: z.coerce.number().int().min(0).optional(),
    tps: z.coerce.number().int().min(0).optional(),
    anyModel: z.boolean(),
  })
  .parse({ port: values.port, host: values.host, ttftMs: values["ttft-ms"], tps: values.tps, anyModel: values["any-model"] });

const handler = createDemoHandler({
  defaults: { ...(args.ttftMs !== undefined ? { ttftMs: args.ttftMs } : {}), ...(args.tps !== undefined ? { tps: args.tps } : {}) },
  anyModel: args.anyModel,
});
const server = await startDemoUpstream({ port: args.port, host: args.host, handler });
console.log(`demo upstream listening on ${server.baseUrl} (POST /chat/completions, GET /models)`);

for (const sig of ["SIGINT", "SIGTERM"] as const)
  process.on(sig, () => {
    void server.close().then(() => process.exit(0));
  });
