import { ChatPage } from "./load";

export const dynamic = "force-dynamic";

export default async function Page() {
  return <ChatPage conversationId={null} />;
}
