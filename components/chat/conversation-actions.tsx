"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { Check, Copy, Download, Link2, Share2 } from "lucide-react";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { getMyShare, revokeMyShare, shareMyConversation } from "@/app/actions/chat-library";
import { useFailureText } from "@/components/use-failure-text";

/** The chat header's share button: a read-only public link (create, copy, revoke) and downloads. */
export function ConversationActions({ conversationId }: { conversationId: string | null }) {
  const t = useTranslations("chatTools.share");
  const errorText = useFailureText();
  const [open, setOpen] = useState(false);
  const [token, setToken] = useState<string | null | undefined>(undefined);
  const [error, setError] = useState<string | null>(null);
  const [copied, setCopied] = useState(false);
  const [pending, start] = useTransition();
  if (!conversationId) return null;
  const url = token ? `${window.location.origin}/share/${token}` : "";

  function run(fn: () => Promise<{ ok: true; token?: string | null } | { ok: false; code: string }>) {
    setError(null);
    start(async () => {
      const r = await fn().catch(() => ({ ok: false as const, code: "internal" }));
      if (!r.ok) return setError(errorText(r));
      setToken(r.token ?? null);
      setCopied(false);
    });
  }

  return (
    <>
      <button
        type="button"
        className="rounded-xl p-2 text-slate-600 hover:bg-slate-100"
        aria-label={t("open")}
        data-testid="share-open"
        onClick={() => {
          setOpen(true);
          setToken(undefined);
          run(() => getMyShare({ conversationId }));
        }}
      >
        <Share2 className="size-5" />
      </button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={t("title")} description={t("hint")}>
          <div className="flex flex-col gap-4">
            {token === undefined ? (
              <p className="py-3 text-center text-sm text-slate-400">{t("loading")}</p>
            ) : token ? (
              <div className="flex flex-col gap-2">
                <label htmlFor="share-url" className="text-sm font-medium text-slate-700">
                  {t("link")}
                </label>
                <div className="flex gap-2">
                  <input
                    id="share-url"
                    readOnly
                    value={url}
                    onFocus={(e) => e.currentTarget.select()}
                    className="h-10 min-w-0 flex-1 rounded-xl bg-slate-50 px-3 font-mono text-xs text-slate-700 ring-1 ring-slate-200"
                    data-testid="share-url"
                  />
                  <Button
                    type="button"
                    variant="secondary"
                    onClick={async () => {
                      await navigator.clipboard?.writeText(url).catch(() => undefined);
                      setCopied(true);
                    }}
                  >
                    {copied ? <Check /> : <Copy />}
                    {copied ? t("copied") : t("copy")}
                  </Button>
                </div>
                <p className="text-xs text-slate-500">{t("snapshot")}</p>
                <Button
                  type="button"
                  variant="danger"
                  disabled={pending}
                  onClick={() => run(() => revokeMyShare({ conversationId }))}
                  data-testid="share-revoke"
                >
                  {t("revoke")}
                </Button>
              </div>
            ) : (
              <Button type="button" disabled={pending} onClick={() => run(() => shareMyConversation({ conversationId }))} data-testid="share-create">
                <Link2 />
                {t("create")}
              </Button>
            )}
            {error ? (
              <p role="alert" className="text-sm text-red-600">
                {error}
              </p>
            ) : null}
            <div className="border-t border-slate-100 pt-3">
              <p className="mb-2 text-sm font-medium text-slate-700">{t("export")}</p>
              <div className="grid grid-cols-2 gap-2">
                <Button asChild variant="secondary">
                  <a href={`/api/chat/${conversationId}/export?format=md`} download data-testid="export-md">
                    <Download />
                    Markdown
                  </a>
                </Button>
                <Button asChild variant="secondary">
                  <a href={`/api/chat/${conversationId}/export?format=json`} download data-testid="export-json">
                    <Download />
                    JSON
                  </a>
                </Button>
              </div>
            </div>
          </div>
        </DialogContent>
      </Dialog>
    </>
  );
}
