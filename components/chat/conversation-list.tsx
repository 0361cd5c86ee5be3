"use client";
import Link from "next/link";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { MessageSquare, Pencil, Plus, Sparkles, Trash2 } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Input } from "@/components/ui/input";
import { deleteMyConversation, renameMyConversation } from "@/app/actions/chat";
import type { ConversationView } from "./types";
import { ConversationSearch } from "./conversation-search";
import { useDelegatedLinks } from "@/components/use-delegated-links";

type Props = {
  items: ConversationView[];
  activeId: string | null;
  onRenamed: (id: string, title: string) => void;
  onDeleted: (id: string) => void;
  onNavigate?: () => void;
};

/** The user's conversations: new, open, rename, delete. */
export function ConversationList({ items, activeId, onRenamed, onDeleted, onNavigate }: Props) {
  const t = useTranslations("chat");
  const ta = useTranslations("chatTools.assistants");
  const [renaming, setRenaming] = useState<ConversationView | null>(null);
  const [deleting, setDeleting] = useState<ConversationView | null>(null);
  const [title, setTitle] = useState("");
  const [busy, setBusy] = useState(false);
  // The conversations are plain links with one click listener: a long list hydrates as markup.
  const links = useDelegatedLinks();

  return (
    <div className="flex min-h-0 flex-1 flex-col">
      <div className="flex gap-2 p-3">
        <Button asChild variant="secondary" className="min-w-0 flex-1 justify-start">
          <Link prefetch={false} href="/chat" onClick={onNavigate} data-testid="new-chat">
            <Plus />
            {t("newChat")}
          </Link>
        </Button>
        <Button asChild variant="ghost" className="shrink-0">
          <Link prefetch={false} href="/assistants" onClick={onNavigate} data-testid="assistants-link">
            <Sparkles />
            {ta("title")}
          </Link>
        </Button>
      </div>
      <ConversationSearch onNavigate={onNavigate}>
        <p className="px-4 pb-1 text-xs font-medium text-slate-400">{t("conversations")}</p>
        <ul ref={links} className="min-h-0 flex-1 overflow-y-auto px-2 pb-3" data-testid="conversation-list">
          {items.length === 0 ? <li className="px-3 py-6 text-center text-sm text-slate-400">{t("noConversations")}</li> : null}
          {items.map((c) => (
            <li key={c.id} className="group relative">
              <a
                href={`/chat/${c.id}`}
                onClick={onNavigate}
                aria-current={c.id === activeId ? "page" : undefined}
                className={`flex items-center gap-2 rounded-xl py-2.5 pl-3 pr-16 text-sm ${
                  c.id === activeId ? "bg-brand-50 font-medium text-brand-800" : "text-slate-700 hover:bg-slate-100"
                }`}
              >
                <MessageSquare className="size-4 shrink-0 opacity-60" />
                <span className="truncate">{c.title || t("untitled")}</span>
              </a>
              <div
                className={`absolute right-1 top-1/2 flex -translate-y-1/2 gap-0.5 ${
                  c.id === activeId ? "lg:opacity-100" : "lg:opacity-0 lg:group-hover:opacity-100 lg:focus-within:opacity-100"
                }`}
              >
                <button
                  type="button"
                  aria-label={t("rename")}
                  className="rounded-lg p-1.5 text-slate-400 hover:bg-white hover:text-slate-700"
                  onClick={() => {
                    setRenaming(c);
                    setTitle(c.title);
                  }}
                >
                  <Pencil className="size-3.5" />
                </button>
                <button
                  type="button"
                  aria-label={t("delete")}
                  className="rounded-lg p-1.5 text-slate-400 hover:bg-white hover:text-red-600"
                  onClick={() => setDeleting(c)}
                >
                  <Trash2 className="size-3.5" />
                </button>
              </div>
            </li>
          ))}
        </ul>
      </ConversationSearch>

      <Dialog open={!!renaming} onOpenChange={(o) => !o && setRenaming(null)}>
        <DialogContent title={t("renameTitle")}>
          <form
            className="flex flex-col gap-3"
            onSubmit={async (e) => {
              e.preventDefault();
              if (!renaming || !title.trim()) return;
              setBusy(true);
              const r = await renameMyConversation({ conversationId: renaming.id, title: title.trim() });
              setBusy(false);
              if (r.ok) {
                onRenamed(renaming.id, title.trim());
                setRenaming(null);
              }
            }}
          >
            <Input value={title} onChange={(e) => setTitle(e.target.value)} maxLength={60} autoFocus aria-label={t("renameTitle")} />
            <div className="flex justify-end gap-2">
              <Button type="button" variant="secondary" onClick={() => setRenaming(null)}>
                {t("cancel")}
              </Button>
              <Button type="submit" disabled={busy || !title.trim()}>
                {t("save")}
              </Button>
            </div>
          </form>
        </DialogContent>
      </Dialog>

      <Dialog open={!!deleting} onOpenChange={(o) => !o && setDeleting(null)}>
        <DialogContent title={t("deleteTitle")} description={t("deleteHint")}>
          <div className="flex justify-end gap-2">
            <Button type="button" variant="secondary" onClick={() => setDeleting(null)}>
              {t("cancel")}
            </Button>
            <Button
              type="button"
              variant="danger"
              disabled={busy}
              onClick={async () => {
                if (!deleting) return;
                setBusy(true);
                const r = await deleteMyConversation({ conversationId: deleting.id });
                setBusy(false);
                if (r.ok) {
                  onDeleted(deleting.id);
                  setDeleting(null);
                }
              }}
            >
              {t("delete")}
            </Button>
          </div>
        </DialogContent>
      </Dialog>
    </div>
  );
}
