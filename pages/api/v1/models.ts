import type { PageConfig } from "next";
import { gateway } from "@/lib/server/wiring";
import { nodeRoute } from "@/lib/gateway/http";

// OpenAI's GET /v1/models, beside chat/completions (lib/gateway/http.ts).
export const config: PageConfig = { api: { bodyParser: false, externalResolver: true } };

export default nodeRoute("GET", (req) => gateway().models(req));
