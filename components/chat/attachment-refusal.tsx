"use client";
import { useLocale } from "next-intl";
import { formatInt, type Locale } from "@/lib/core/format";
import { useFailureText, type FailureLike } from "@/components/use-failure-text";

/** Refusal codes about attached files: their text lives in `attachments.errors`. */
export const ATTACHMENT_CODES = new Set([
  "empty_file",
  "file_too_large",
  "unsupported_type",
  "type_mismatch",
  "zip_bomb",
  "corrupt_file",
  "pdf_no_text",
  "document_too_long",
  "image_too_large",
  "invalid_name",
  "too_many_files",
  "too_many_images",
  "too_many_attachments",
  "model_no_images",
  "attachment_too_long",
  "attachment_not_found",
  "upload_failed",
]);

/** A failed quote, with the server's code and details (a file's numbers). */
export class QuoteError extends Error {
  constructor(
    readonly code: string,
    readonly details?: Record<string, unknown>,
  ) {
    super(code);
  }
  get isAttachment() {
    return ATTACHMENT_CODES.has(this.code);
  }
}

const megabytes = (n: unknown) => (typeof n === "number" ? `${(n / 1024 / 1024).toFixed(1)} MB` : "");

/** The user's words for a file refusal, with sizes in MB and token counts grouped. */
export function useAttachmentFailureText() {
  const text = useFailureText("attachments");
  const locale = useLocale() as Locale;
  return (f: FailureLike) => {
    const d = { ...(f.details ?? {}) };
    if (f.code === "file_too_large") Object.assign(d, { size: megabytes(d.size), limit: megabytes(d.limit) });
    for (const k of ["tokens", "context", "reserve", "chars"] as const) if (typeof d[k] === "number") d[k] = formatInt(d[k] as number, locale);
    return text({ code: f.code, details: d });
  };
}

export function QuoteRefusal({ error }: { error: QuoteError }) {
  const text = useAttachmentFailureText();
  return (
    <span className="text-amber-700" role="alert" data-testid="quote-refusal" data-code={error.code}>
      {text({ code: error.code, details: error.details })}
    </span>
  );
}
