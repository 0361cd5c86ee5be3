import { imageSize } from "image-size";
import { countTokens } from "@/lib/metering";
import { FILE_LIMITS, type DocumentMime, type ImageMime } from "./limits";
import { claimedType, sniff } from "./sniff";
import { checkZip } from "./zip";

/** Why a file is refused: each has its own message (errors.attachment.* in the messages). */
export type FileRefusal =
  | "empty_file"
  | "file_too_large"
  | "unsupported_type"
  | "type_mismatch"
  | "zip_bomb"
  | "corrupt_file"
  | "pdf_no_text"
  | "document_too_long"
  | "image_too_large";

export type ReadFile =
  | { kind: "image"; mime: ImageMime; width: number; height: number; text: null; tokens: 0 }
  | { kind: "document"; mime: DocumentMime; width: null; height: null; text: string; tokens: number };

export type ReadResult = ({ ok: true } & ReadFile) | { ok: false; code: FileRefusal; details?: Record<string, unknown> };

const DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";

/** How a document goes to the model: its name, then its text (the composer's chip shows these tokens). */
export function documentContext(name: string, text: string): string {
  return `<file name="${name.replace(/["<>\n]/g, "_")}">\n${text}\n</file>`;
}

/** Text with line ends normalised and trailing blank space trimmed; null when nothing readable is left. */
function cleanText(t: string): string | null {
  const s = t
    .replace(/^\uFEFF/, "")
    .replace(/\r\n?/g, "\n")
    .replace(/\u0000/g, "")
    .replace(/[ \t]+\n/g, "\n")
    .replace(/\n{4,}/g, "\n\n\n")
    .trim();
  return s.length > 0 ? s : null;
}

/** UTF-8, else GB18030 (Excel's CSV and Notepad's "ANSI" on a Chinese Windows); null when neither decodes. */
function decodeText(b: Uint8Array): string | null {
  for (const enc of ["utf-8", "gb18030"]) {
    try {
      const s = new TextDecoder(enc, { fatal: true }).decode(b);
      if (!s.includes("\u0000")) return s;
    } catch {
      // try the next encoding
    }
  }
  return null;
}

async function pdfText(b: Uint8Array): Promise<string | null> {
  const { extractText, getDocumentProxy } = await import("unpdf");
  // pdf.js takes the buffer over: give it a copy.
  const doc = await getDocumentProxy(new Uint8Array(b), { isEvalSupported: false, stopAtErrors: false, verbosity: 0 });
  try {
    const { text } = await extractText(doc, { mergePages: true });
    return text;
  } finally {
    await doc.destroy().catch(() => undefined);
  }
}

async function docxText(b: Uint8Array): Promise<string> {
  const mammoth = await import("mammoth");
  const r = await mammoth.extractRawText({ buffer: Buffer.from(b.buffer, b.byteOffset, b.byteLength) });
  return r.value;
}

function document(mime: DocumentMime, name: string, raw: string | null): ReadResult {
  const text = raw === null ? null : cleanText(raw);
  if (text === null) return { ok: false, code: mime === "application/pdf" ? "pdf_no_text" : "empty_file" };
  if (text.length > FILE_LIMITS.textChars) return { ok: false, code: "document_too_long", details: { chars: text.length, limit: FILE_LIMITS.textChars } };
  return { ok: true, kind: "document", mime, width: null, height: null, text, tokens: countTokens(documentContext(name, text)) };
}

/**
 * Reads an uploaded file: its real type from the bytes (a file whose name claims another type is
 * refused), its size within the limits, an image's dimensions, a document's text (PDF with unpdf,
 * docx with mammoth after the archive was checked for a zip bomb, text as UTF-8 or GB18030) and
 * its tokens. Everything refused comes back as a code, never a throw.
 */
export async function readUpload(name: string, bytes: Uint8Array): Promise<ReadResult> {
  if (bytes.byteLength === 0) return { ok: false, code: "empty_file" };
  const claimed = claimedType(name);
  if (claimed.kind === "unsupported") return { ok: false, code: "unsupported_type" };
  const limit = claimed.kind === "image" ? FILE_LIMITS.imageBytes : FILE_LIMITS.documentBytes;
  if (bytes.byteLength > limit) return { ok: false, code: "file_too_large", details: { size: bytes.byteLength, limit } };
  const real = sniff(bytes);

  if (claimed.kind === "image") {
    // A .jpg that is really a PNG is still an image of a kind we take: the bytes decide the type.
    if (real.kind !== "image") return { ok: false, code: "type_mismatch" };
    let size: { width?: number; height?: number };
    try {
      size = imageSize(bytes);
    } catch {
      return { ok: false, code: "corrupt_file" };
    }
    const { width, height } = size;
    if (!width || !height) return { ok: false, code: "corrupt_file" };
    if (width > FILE_LIMITS.imageSide || height > FILE_LIMITS.imageSide)
      return { ok: false, code: "image_too_large", details: { width, height, limit: FILE_LIMITS.imageSide } };
    return { ok: true, kind: "image", mime: real.mime, width, height, text: null, tokens: 0 };
  }
  if (claimed.kind === "pdf") {
    if (real.kind !== "pdf") return { ok: false, code: "type_mismatch" };
    let text: string | null;
    try {
      text = await pdfText(bytes);
    } catch {
      return { ok: false, code: "corrupt_file" };
    }
    return document("application/pdf", name, text);
  }
  if (claimed.kind === "docx") {
    if (real.kind !== "zip") return { ok: false, code: "type_mismatch" };
    const zip = checkZip(bytes, { maxUncompressed: FILE_LIMITS.docxUncompressedBytes, maxRatio: FILE_LIMITS.docxMaxRatio });
    if (!zip.ok) return { ok: false, code: zip.code };
    if (!zip.names.includes("word/document.xml")) return { ok: false, code: "type_mismatch" };
    let text: string;
    try {
      text = await docxText(bytes);
    } catch {
      return { ok: false, code: "corrupt_file" };
    }
    return document(DOCX_MIME, name, text);
  }
  // Text and code: the bytes must be text (a renamed binary is not).
  if (real.kind !== "text" && real.kind !== "binary") return { ok: false, code: "type_mismatch" };
  const text = decodeText(bytes);
  if (text === null || (real.kind === "binary" && /[\u0001-\u0008\u000e-\u001f]/.test(text.slice(0, 4096)))) return { ok: false, code: "type_mismatch" };
  return document(claimed.mime, name, text);
}
