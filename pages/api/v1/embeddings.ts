import type { PageConfig } from "next";
import { gateway } from "@/lib/server/wiring";
import { nodeRoute } from "@/lib/gateway/http";

// OpenAI's POST /v1/embeddings (lib/gateway/http.ts says why a Pages Router API route).
export const config: PageConfig = { api: { bodyParser: false, externalResolver: true, responseLimit: false } };

export default nodeRoute("POST", (req) => gateway().embeddings(req));
