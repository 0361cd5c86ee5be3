import type { Database } from "@/lib/db/types";
import { requireConversation } from "./conversations";
import { currentBranch } from "./history";

export type ExportedConversation = {
  title: string;
  createdAt: string;
  exportedAt: string;
  /** The assistant the conversation started from and the system prompt it sends with every turn. */
  assistant: { ref: string | null; name: string | null; systemPrompt: string } | null;
  messages: {
    role: "user" | "assistant";
    content: string;
    model: string;
    modelName: string;
    status: "ok" | "interrupted" | "error" | "streaming";
    createdAt: string;
    /** Plan tokens charged for a reply (a decimal string: an integer of any size). */
    planTokens: string | null;
  }[];
};

/** The owner's conversation, every turn of the branch on screen, for download; a foreign or unknown id is `not_found`. */
export async function exportConversation(
  db: Database,
  { userId, conversationId, now, modelName }: { userId: string; conversationId: string; now: Date; modelName: (id: string) => string },
): Promise<ExportedConversation> {
  const c = await requireConversation(db, { userId, conversationId });
  // The branch on screen (edits and regenerated replies elsewhere in the tree are left out).
  const rows = await currentBranch(db, { userId, conversationId: c.id });
  return {
    title: c.title,
    createdAt: c.createdAt.toISOString(),
    exportedAt: now.toISOString(),
    assistant: c.systemPrompt ? { ref: c.assistantRef, name: c.assistantName, systemPrompt: c.systemPrompt } : null,
    messages: rows.map((m) => ({
      role: m.role,
      content: m.content,
      model: m.modelId,
      modelName: modelName(m.modelId),
      status: m.status,
      createdAt: m.createdAt.toISOString(),
      planTokens: m.role === "assistant" && m.planTokens !== null ? m.planTokens.toString() : null,
    })),
  };
}

/** The conversation as Markdown: a heading per turn, replies verbatim (they are Markdown already). */
export function exportMarkdown(c: ExportedConversation, labels: { you: string; untitled: string }): string {
  const out = [`# ${c.title.replace(/\n/g, " ") || labels.untitled}`, ""];
  for (const m of c.messages) {
    if (!m.content) continue;
    out.push(`## ${m.role === "user" ? labels.you : m.modelName}`, "", m.content.trimEnd(), "");
  }
  return `${out.join("\n").trimEnd()}\n`;
}

/** A filename for the download: the title without characters file systems refuse, or a fallback. */
export function exportFilename(title: string, ext: "md" | "json"): string {
  const base = title
    .replace(/[\\/:*?"<>|\u0000-\u001f]/g, "")
    .trim()
    .slice(0, 40);
  return `${base || "conversation"}.${ext}`;
}
