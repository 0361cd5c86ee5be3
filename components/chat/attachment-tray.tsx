"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { useLocale, useTranslations } from "next-intl";
import { FileText, ImageIcon, Loader2, Paperclip, X } from "lucide-react";
import { ACCEPT_ATTRIBUTE } from "@/lib/files/limits";
import { formatInt, type Locale } from "@/lib/core/format";
import { cn } from "@/lib/cn";
import type { AttachmentChip } from "./types";
import { ATTACHMENT_CODES, useAttachmentFailureText } from "./attachment-refusal";

type Chip = { key: string; name: string; preview: string | null; file: AttachmentChip | null };
type Refusal = { code: string; details?: Record<string, unknown>; name?: string };

/**
 * The composer's files: each chosen file is uploaded at once (the server checks it and counts a
 * document's tokens); the chips show what will go with the message. `ids` keeps its identity
 * until the list changes, so the quote asks again only then.
 */
export function useAttachments() {
  const [chips, setChips] = useState<Chip[]>([]);
  const [refusal, setRefusal] = useState<Refusal | null>(null);
  const previews = useRef(new Set<string>());
  useEffect(() => {
    const urls = previews.current;
    return () => urls.forEach((u) => URL.revokeObjectURL(u));
  }, []);

  const add = useCallback(async (list: FileList | File[]) => {
    setRefusal(null);
    for (const f of Array.from(list)) {
      const key = `${Date.now()}-${Math.random().toString(36).slice(2)}`;
      const isImage = f.type.startsWith("image/");
      const preview = isImage ? URL.createObjectURL(f) : null;
      if (preview) previews.current.add(preview);
      setChips((cs) => [...cs, { key, name: f.name, preview, file: null }]);
      const body = new FormData();
      body.append("file", f);
      let r: { ok: true; attachment: AttachmentChip } | { ok: false; code: string; details?: Record<string, unknown> };
      try {
        const res = await fetch("/api/attachments", { method: "POST", body });
        r = await res.json();
      } catch {
        r = { ok: false, code: "upload_failed" };
      }
      if (r.ok) {
        const file = r.attachment;
        setChips((cs) => cs.map((c) => (c.key === key ? { ...c, file } : c)));
      } else {
        setChips((cs) => cs.filter((c) => c.key !== key));
        setRefusal({ code: ATTACHMENT_CODES.has(r.code) ? r.code : "upload_failed", details: r.details, name: f.name });
      }
    }
  }, []);

  const remove = useCallback((key: string) => {
    setChips((cs) => {
      const c = cs.find((x) => x.key === key);
      if (c?.file) void fetch(`/api/attachments/${c.file.id}`, { method: "DELETE" }).catch(() => undefined);
      return cs.filter((x) => x.key !== key);
    });
  }, []);

  const ready = chips.filter((c) => c.file).map((c) => c.file!);
  const idsKey = ready.map((f) => f.id).join(",");
  const ids = useMemo(() => (idsKey ? idsKey.split(",") : []), [idsKey]);
  return {
    chips,
    ids,
    files: ready,
    uploading: chips.some((c) => !c.file),
    refusal,
    setRefusal,
    add,
    remove,
    /** After a send: the files went with the message. */
    clear: () => setChips([]),
    /** A refused send gives its files back to the composer. */
    restore: (files: AttachmentChip[]) => setChips(files.map((file) => ({ key: file.id, name: file.name, preview: null, file }))),
  };
}

export type Attachments = ReturnType<typeof useAttachments>;

/** The paperclip: opens the file chooser (images and documents). */
export function AttachButton({ onFiles, disabled }: { onFiles: (files: FileList) => void; disabled?: boolean }) {
  const t = useTranslations("attachments");
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        disabled={disabled}
        onClick={() => input.current?.click()}
        aria-label={t("add")}
        title={t("add")}
        data-testid="attach-button"
        className="flex size-8 shrink-0 items-center justify-center rounded-full text-slate-500 hover:bg-slate-100 hover:text-slate-700 disabled:opacity-50"
      >
        <Paperclip className="size-[18px]" />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        accept={ACCEPT_ATTRIBUTE}
        data-testid="attach-input"
        aria-label={t("add")}
        onChange={(e) => {
          if (e.target.files?.length) onFiles(e.target.files);
          e.target.value = "";
        }}
      />
    </>
  );
}

function chipDetail(f: AttachmentChip, t: ReturnType<typeof useTranslations>, locale: Locale): string {
  if (f.kind === "image") return t("imageSize", { width: f.width ?? 0, height: f.height ?? 0 });
  return t("tokens", { tokens: formatInt(f.tokens, locale) });
}

/** The chips above the composer's text: name, tokens (or an image's size), and ×. */
export function AttachmentChips({ a }: { a: Attachments }) {
  const t = useTranslations("attachments");
  const locale = useLocale() as Locale;
  const ta = useTranslations("common.a11y");
  const refusalText = useAttachmentFailureText();
  if (a.chips.length === 0 && !a.refusal) return null;
  return (
    <div className="px-1 pb-1">
      {a.refusal ? (
        <p
          role="alert"
          data-testid="attachment-refusal"
          data-code={a.refusal.code}
          className="mb-1.5 flex items-start gap-2 rounded-xl bg-amber-50 px-3 py-2 text-xs text-amber-900 ring-1 ring-amber-200"
        >
          <span className="flex-1">
            {a.refusal.name ? <span className="font-medium">{a.refusal.name}：</span> : null}
            {refusalText({ code: a.refusal.code, details: a.refusal.details })}
          </span>
          <button type="button" onClick={() => a.setRefusal(null)} className="rounded px-1 text-amber-700 hover:bg-amber-100" aria-label={ta("dismiss")}>
            <X className="size-3.5" />
          </button>
        </p>
      ) : null}
      {a.chips.length > 0 ? (
        <ul className="flex gap-2 overflow-x-auto pb-0.5" aria-label={t("listLabel")} data-testid="attachment-chips">
          {a.chips.map((c) => (
            <li
              key={c.key}
              data-testid="attachment-chip"
              data-kind={c.file?.kind ?? "uploading"}
              className="flex max-w-[14rem] shrink-0 items-center gap-2 rounded-xl bg-slate-50 py-1.5 pl-1.5 pr-1 ring-1 ring-slate-200"
            >
              {c.preview ? (
                // eslint-disable-next-line @next/next/no-img-element -- a local object URL, not an optimisable asset
                <img src={c.preview} alt="" className="size-9 shrink-0 rounded-lg object-cover" />
              ) : (
                <span className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-white text-brand-600 ring-1 ring-slate-200">
                  {c.file?.kind === "image" ? <ImageIcon className="size-4" /> : <FileText className="size-4" />}
                </span>
              )}
              <span className="min-w-0 flex-1 leading-tight">
                <span className="block truncate text-xs font-medium text-slate-800">{c.name}</span>
                <span className="block truncate text-[11px] text-slate-500 tabular">
                  {c.file ? (
                    chipDetail(c.file, t, locale)
                  ) : (
                    <span className="inline-flex items-center gap-1">
                      <Loader2 className="size-3 animate-spin" />
                      {t("uploading", { name: "" }).trim()}
                    </span>
                  )}
                </span>
              </span>
              <button
                type="button"
                onClick={() => a.remove(c.key)}
                aria-label={t("remove", { name: c.name })}
                className="rounded-full p-1 text-slate-400 hover:bg-slate-200 hover:text-slate-700"
              >
                <X className="size-3.5" />
              </button>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}

/** A sent message's files: image thumbnails (owner-only route) and document names. */
export function SentAttachments({ files, align = "end" }: { files: AttachmentChip[]; align?: "end" | "start" }) {
  const t = useTranslations("attachments");
  const locale = useLocale() as Locale;
  const images = files.filter((f) => f.kind === "image");
  const docs = files.filter((f) => f.kind === "document");
  return (
    <ul
      aria-label={t("sentLabel")}
      data-testid="sent-attachments"
      className={cn("mb-1.5 flex flex-wrap gap-1.5", align === "end" ? "justify-end" : "justify-start")}
    >
      {images.map((f) => (
        <li key={f.id}>
          <a href={`/api/attachments/${f.id}`} target="_blank" rel="noreferrer" aria-label={t("open", { name: f.name })} className="block">
            {/* eslint-disable-next-line @next/next/no-img-element -- a private, owner-checked file */}
            <img
              src={`/api/attachments/${f.id}`}
              alt={f.name}
              width={f.width ?? undefined}
              height={f.height ?? undefined}
              loading="lazy"
              className="h-24 w-auto max-w-[10rem] rounded-xl object-cover ring-1 ring-slate-200"
            />
          </a>
        </li>
      ))}
      {docs.map((f) => (
        <li key={f.id}>
          <a
            href={`/api/attachments/${f.id}`}
            aria-label={t("open", { name: f.name })}
            className="flex max-w-[15rem] items-center gap-2 rounded-xl bg-white px-2.5 py-1.5 text-xs text-slate-700 ring-1 ring-slate-200 hover:bg-slate-50"
          >
            <FileText className="size-4 shrink-0 text-brand-600" />
            <span className="min-w-0 truncate font-medium">{f.name}</span>
            <span className="shrink-0 text-slate-400 tabular">{t("tokens", { tokens: formatInt(f.tokens, locale) })}</span>
          </a>
        </li>
      ))}
    </ul>
  );
}
