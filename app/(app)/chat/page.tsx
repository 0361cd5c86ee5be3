import { ChatPage } from "./load";

export const dynamic = "force-dynamic";

export default async function Page({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const { model, assistant } = await searchParams;
  // One model id of sane length; anything else is ignored (the page opens on the default model).
  const requested = typeof model === "string" && model.length <= 120 ? model : null;
  const requestedAssistant = typeof assistant === "string" && assistant.length <= 80 ? assistant : null;
  return <ChatPage conversationId={null} requestedModel={requested} requestedAssistant={requestedAssistant} />;
}
