import type { PageConfig } from "next";
import { gateway } from "@/lib/server/wiring";
import { nodeRoute } from "@/lib/gateway/http";

// Anthropic's POST /v1/messages/count_tokens: the prompt counted, nothing charged.
export const config: PageConfig = { api: { bodyParser: false, externalResolver: true } };

export default nodeRoute("POST", (req) => gateway().countMessageTokens(req));
