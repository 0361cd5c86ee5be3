import type { PageConfig } from "next";
import { gateway } from "@/lib/server/wiring";
import { nodeRoute } from "@/lib/gateway/http";

// OpenAI's POST /v1/chat/completions. A Pages Router API route: see lib/gateway/http.ts for why.
export const config: PageConfig = { api: { bodyParser: false, externalResolver: true, responseLimit: false } };

export default nodeRoute("POST", (req) => gateway().chatCompletions(req));
