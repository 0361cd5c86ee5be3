"use client";
import { useEffect, useRef, useState } from "react";
import { useTranslations } from "next-intl";
import { ChevronLeft, ChevronRight } from "lucide-react";
import { cn } from "@/lib/cn";

/** "‹ 2/3 ›" (loaded by `./branch-controls` for a message with siblings). */
export function SiblingSwitch({
  id,
  index,
  count,
  onSwitch,
  className,
}: {
  id: string;
  index: number;
  count: number;
  onSwitch: (id: string, step: -1 | 1) => void;
  className?: string;
}) {
  const t = useTranslations("chatBranch");
  return (
    <span
      className={cn("inline-flex items-center text-xs tabular text-slate-500", className)}
      role="group"
      aria-label={t("versions", { index, count })}
      data-testid="sibling-switch"
    >
      <button
        type="button"
        onClick={() => onSwitch(id, -1)}
        disabled={index <= 1}
        aria-label={t("previous")}
        className="rounded-lg p-1 hover:bg-slate-100 hover:text-slate-800 disabled:opacity-30 disabled:hover:bg-transparent"
      >
        <ChevronLeft className="size-4" />
      </button>
      <span data-testid="sibling-position" aria-hidden>
        {index}/{count}
      </span>
      <button
        type="button"
        onClick={() => onSwitch(id, 1)}
        disabled={index >= count}
        aria-label={t("next")}
        className="rounded-lg p-1 hover:bg-slate-100 hover:text-slate-800 disabled:opacity-30 disabled:hover:bg-transparent"
      >
        <ChevronRight className="size-4" />
      </button>
    </span>
  );
}

/**
 * A question being edited in place. Sending starts a new branch from that point (the original and
 * its replies stay, reachable with ‹ ›). Loaded by `./branch-controls` when an edit starts.
 */
export function EditBox({ initial, onCancel, onSend }: { initial: string; onCancel: () => void; onSend: (text: string) => void }) {
  const t = useTranslations("chatBranch");
  const [text, setText] = useState(initial);
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const content = text.trim();
  return (
    <form
      className="w-full max-w-[85%] rounded-2xl bg-white p-2 shadow-sm ring-1 ring-brand-300"
      data-testid="edit-box"
      onSubmit={(e) => {
        e.preventDefault();
        if (content && content !== initial.trim()) onSend(content);
      }}
    >
      <textarea
        ref={ref}
        value={text}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === "Escape") onCancel();
        }}
        rows={2}
        maxLength={20000}
        aria-label={t("editLabel")}
        className="block max-h-60 w-full resize-none bg-transparent px-2 py-1.5 [field-sizing:content] text-[15px] leading-relaxed text-slate-900 focus:outline-none"
      />
      <div className="flex items-center justify-between gap-2 px-1 pt-1">
        <p className="text-xs text-slate-400">{t("editHint")}</p>
        <div className="flex shrink-0 gap-2">
          <button type="button" onClick={onCancel} className="rounded-full px-3 py-1.5 text-sm text-slate-600 hover:bg-slate-100">
            {t("cancel")}
          </button>
          <button
            type="submit"
            disabled={!content || content === initial.trim()}
            className="rounded-full bg-brand-600 px-3.5 py-1.5 text-sm font-medium text-white hover:bg-brand-700 disabled:bg-slate-200 disabled:text-slate-400"
          >
            {t("editSend")}
          </button>
        </div>
      </div>
    </form>
  );
}
