"use client";
import { useLocale, useTranslations } from "next-intl";
import { FileText, ImageIcon, Loader2, X } from "lucide-react";
import { formatInt, type Locale } from "@/lib/core/format";
import { cn } from "@/lib/cn";
import type { AttachmentChip, TrayView, Uploaded } from "./types";
import { useAttachmentFailureText } from "./attachment-refusal";

/** Uploads one file; the server checks it and counts a document's tokens. */
export async function uploadAttachment(f: File): Promise<Uploaded> {
  const body = new FormData();
  body.append("file", f);
  try {
    const res = await fetch("/api/attachments", { method: "POST", body });
    return await res.json();
  } catch {
    return { ok: false, code: "upload_failed" };
  }
}

function chipDetail(f: AttachmentChip, t: ReturnType<typeof useTranslations>, locale: Locale): string {
  if (f.kind === "image") return t("imageSize", { width: f.width ?? 0, height: f.height ?? 0 });
  return t("tokens", { tokens: formatInt(f.tokens, locale) });
}

/** The chips above the composer's text (loaded by `./attachment-tray` once there is one). */
export function AttachmentChips({ a }: { a: TrayView }) {
  const t = useTranslations("attachments");
  const locale = useLocale() as Locale;
  const ta = useTranslations("common.a11y");
  const refusalText = useAttachmentFailureText();
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
