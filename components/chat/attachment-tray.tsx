"use client";
import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import dynamic from "next/dynamic";
import { useTranslations } from "next-intl";
import { Paperclip } from "lucide-react";
import { ACCEPT_ATTRIBUTE } from "@/lib/files/limits";
import type { AttachmentChip, TrayChip as Chip, TrayRefusal as Refusal, Uploaded } from "./types";
import { ATTACHMENT_CODES } from "./attachment-refusal";

// The tray's chips and the upload load when the paperclip is reached or a message with files is
// shown: a first paint of the chat does not carry them.
const load = () => import("./attachment-chips");
const Chips = dynamic(() => load().then((m) => m.AttachmentChips), { ssr: false });
const Sent = dynamic(() => load().then((m) => m.SentAttachments));

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
      const r: Uploaded = await load().then(
        (m) => m.uploadAttachment(f),
        () => ({ ok: false, code: "upload_failed" }),
      );
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
        onPointerEnter={() => void load()}
        onFocus={() => void load()}
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

/** The chips above the composer's text: name, tokens (or an image's size), and ×; nothing while the tray is empty. */
export function AttachmentChips({ a }: { a: Attachments }) {
  if (a.chips.length === 0 && !a.refusal) return null;
  return <Chips a={a} />;
}

/** A sent message's files: image thumbnails (owner-only route) and document names. */
export function SentAttachments(props: { files: AttachmentChip[]; align?: "end" | "start" }) {
  return <Sent {...props} />;
}
