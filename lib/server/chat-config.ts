import "server-only";
import { cookies } from "next/headers";
import type { PipelineConfig } from "@/lib/completion";
import { chatPipelineConfigFor } from "./wiring";

/** Pipeline settings for a chat send: the composition root's, with this request's demo knobs cookie. */
export async function chatPipelineConfig(): Promise<PipelineConfig> {
  return chatPipelineConfigFor({ demoKnobs: (await cookies()).get("demo_knobs")?.value });
}
