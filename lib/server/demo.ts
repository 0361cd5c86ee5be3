import "server-only";

/**
 * The demo pieces app/ reaches (demo mode only): the in-app demo upstream and the sign-in page's
 * demo accounts. lib/demo is reached from production code only through lib/server.
 */
export { createDemoHandler } from "@/lib/demo/upstream/server";
export { demoUpstreamSecret } from "@/lib/demo/upstream/secret";
export { DEMO_ACCOUNTS } from "@/lib/demo/seed/accounts";
