import type { PageConfig } from "next";
import { gateway } from "@/lib/server/wiring";
import { nodeRoute } from "@/lib/gateway/http";

// Anthropic's POST /v1/messages on the same metered pipeline (lib/gateway/anthropic.ts).
export const config: PageConfig = { api: { bodyParser: false, externalResolver: true, responseLimit: false } };

export default nodeRoute("POST", (req) => gateway().messages(req));
