"use client";
import { memo, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { AlertTriangle, Check, Copy, RotateCcw } from "lucide-react";
import { formatInt, type Locale } from "@/lib/core/format";
import { EconomySwitchNotice } from "@/components/plans/economy-switch-notice";
import { cn } from "@/lib/cn";
import { Markdown } from "./markdown";
import { type LiveText, useLiveText } from "./live-text";
import type { ChatMessageView, ModelView } from "./types";
import { ReplyCost } from "./receipt";
import { EditBox, EditButton, RegenerateWithModel, SiblingSwitch } from "./branch-controls";
import { SentAttachments } from "./attachment-tray";

/** Stored messages have uuids; optimistic ones ("pending-…") have no receipt yet. */
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function CopyButton({ text }: { text: string }) {
  const t = useTranslations("chat");
  const [done, setDone] = useState(false);
  return (
    <button
      type="button"
      aria-label={done ? t("copied") : t("copy")}
      title={done ? t("copied") : t("copy")}
      className="rounded-lg p-1.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
      onClick={async () => {
        try {
          await navigator.clipboard.writeText(text);
        } catch {
          // Clipboard refused (permissions): nothing else to do.
        }
        setDone(true);
        setTimeout(() => setDone(false), 1500);
      }}
    >
      {done ? <Check className="size-4 text-emerald-600" /> : <Copy className="size-4" />}
    </button>
  );
}

function Dots() {
  return (
    <span className="inline-flex items-center gap-1 py-2" aria-hidden>
      {[0, 150, 300].map((d) => (
        <span key={d} className="size-1.5 animate-bounce rounded-full bg-slate-400" style={{ animationDelay: `${d}ms` }} />
      ))}
    </span>
  );
}

type Props = {
  m: ChatMessageView;
  modelName: string;
  isLast: boolean;
  busy: boolean;
  /** Its place among its siblings (1-based) and how many there are: "‹ 2/3 ›" when more than one. */
  siblingIndex: number;
  siblingCount: number;
  /**
   * The callbacks must keep their identity across renders: earlier messages must not render again
   * while a reply streams. Regenerate answers this reply's question again (another model when given).
   */
  onRegenerate: (id: string, model?: ModelView) => void;
  onSwitch: (id: string, step: -1 | 1) => void;
  onEdit: (id: string, text: string) => void;
  /** The streaming reply's text, for the message that is streaming. */
  live?: LiveText;
  /** An older reply of the conversation as it opened: its Markdown is parsed once it nears the view. */
  deferred?: boolean;
};

/** A row of the conversation. Off-screen rows skip layout and paint (content-visibility), so long conversations stay light; the padding keeps shadows inside its paint clip. */
const ROW = "-my-1 py-1 [contain-intrinsic-size:auto_6rem] [content-visibility:auto]";

export const ChatMessage = memo(function ChatMessage({
  m,
  modelName,
  isLast,
  busy,
  siblingIndex,
  siblingCount,
  onRegenerate,
  onSwitch,
  onEdit,
  live,
  deferred = false,
}: Props) {
  const t = useTranslations("chat");
  const locale = useLocale() as Locale;
  const text = useLiveText(m.streaming ? live : undefined, m.content);
  const [editing, setEditing] = useState(false);
  const stored = UUID.test(m.id);

  if (m.role === "user") {
    return (
      <div className={cn("group flex flex-col items-end", ROW)} data-testid="message-user">
        {m.attachments?.length ? <SentAttachments files={m.attachments} /> : null}
        {editing ? (
          <EditBox
            initial={m.content}
            onCancel={() => setEditing(false)}
            onSend={(next) => {
              setEditing(false);
              onEdit(m.id, next);
            }}
          />
        ) : (
          <div
            className="max-w-[85%] whitespace-pre-wrap break-words rounded-2xl rounded-br-md bg-brand-600 px-4 py-2.5 text-[15px] leading-relaxed text-white shadow-sm"
            data-testid="user-text"
          >
            {m.content}
          </div>
        )}
        {!editing && (stored || siblingCount > 1) ? (
          <div className="mt-1 flex items-center gap-0.5">
            {stored ? (
              <span className="flex items-center gap-0.5 transition-opacity focus-within:opacity-100 group-hover:opacity-100 [@media(hover:hover)]:opacity-0">
                <CopyButton text={m.content} />
                <EditButton onClick={() => setEditing(true)} />
              </span>
            ) : null}
            <SiblingSwitch id={m.id} index={siblingIndex} count={siblingCount} onSwitch={onSwitch} />
          </div>
        ) : null}
      </div>
    );
  }

  const charged = m.planTokens !== null ? BigInt(m.planTokens) : null;
  return (
    <div
      className={cn("group flex gap-3", !m.streaming && ROW)}
      data-testid="message-assistant"
      data-status={m.streaming ? "streaming" : m.status}
      data-cost={charged !== null ? charged.toString() : ""}
    >
      <div
        className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-full bg-gradient-to-br from-brand-500 to-brand-700 text-xs font-semibold text-white shadow-sm"
        aria-hidden
      >
        {modelName.slice(0, 1).toUpperCase()}
      </div>
      <div className="min-w-0 flex-1">
        <div className="mb-1 text-xs font-medium text-slate-500">{modelName}</div>
        {m.switchedFrom ? <EconomySwitchNotice model={modelName} /> : null}
        {text ? (
          <div data-testid="reply-text">
            <Markdown text={text} streaming={m.streaming} deferred={deferred && !m.streaming} />
          </div>
        ) : m.streaming ? (
          <div className="flex items-center gap-2 text-sm text-slate-400">
            <Dots />
            <span className="sr-only">{t("thinking")}</span>
          </div>
        ) : null}

        {!m.streaming && m.status === "error" ? (
          <div className="mt-1 flex flex-wrap items-center gap-2 rounded-xl bg-red-50 px-3 py-2 text-sm text-red-700 ring-1 ring-red-100" role="alert">
            <AlertTriangle className="size-4 shrink-0" />
            <span className="flex-1">{t("failed")}</span>
            {isLast ? (
              <button
                type="button"
                onClick={() => onRegenerate(m.id)}
                disabled={busy}
                className="rounded-lg bg-white px-2.5 py-1 text-xs font-medium text-red-700 ring-1 ring-red-200 hover:bg-red-50"
                data-testid="retry-button"
              >
                {t("retry")}
              </button>
            ) : null}
          </div>
        ) : null}
        {!m.streaming && m.status === "interrupted" ? (
          <p className="mt-2 inline-flex items-center gap-1.5 rounded-lg bg-amber-50 px-2 py-1 text-xs text-amber-800" data-testid="reply-interrupted">
            <AlertTriangle className="size-3.5" />
            {m.errorCode === "stopped" ? t("stopped") : t("interrupted")}
          </p>
        ) : null}

        {!m.streaming ? (
          <div className="mt-1.5 flex flex-wrap items-center gap-1 text-xs text-slate-500">
            <SiblingSwitch id={m.id} index={siblingIndex} count={siblingCount} onSwitch={onSwitch} className="-ml-1 mr-1" />
            {charged !== null ? (
              <span className="tabular mr-1" data-testid="reply-cost">
                <ReplyCost messageId={UUID.test(m.id) ? m.id : null}>
                  {charged > 0n ? t("cost", { tokens: formatInt(charged, locale), model: modelName }) : t("costFree", { model: modelName })}
                </ReplyCost>
              </span>
            ) : null}
            <span
              className={cn(
                "flex items-center gap-1",
                // Earlier replies show their buttons on hover where there is one; the last always does.
                !isLast && "transition-opacity focus-within:opacity-100 group-hover:opacity-100 [@media(hover:hover)]:opacity-0",
              )}
            >
              {m.content ? <CopyButton text={m.content} /> : null}
              {stored && (isLast ? m.status !== "error" : true) ? (
                <>
                  <button
                    type="button"
                    onClick={() => onRegenerate(m.id)}
                    disabled={busy}
                    aria-label={t("regenerate")}
                    title={t("regenerate")}
                    className={cn("rounded-lg p-1.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700 disabled:opacity-40")}
                    data-testid="regenerate-button"
                  >
                    <RotateCcw className="size-4" />
                  </button>
                  <RegenerateWithModel current={{ id: m.modelId, name: modelName, route: "live" }} onPick={(model) => onRegenerate(m.id, model)} />
                </>
              ) : null}
            </span>
          </div>
        ) : null}
      </div>
    </div>
  );
});
