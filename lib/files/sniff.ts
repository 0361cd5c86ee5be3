import { IMAGE_EXTENSIONS, TEXT_EXTENSIONS, extensionOf, type DocumentMime, type ImageMime } from "./limits";

/** What the bytes are, whatever the file's name says. */
export type Sniffed =
  | { kind: "image"; mime: ImageMime }
  | { kind: "pdf" }
  | { kind: "zip" }
  | { kind: "text" }
  /** A binary format we do not read (an executable, an archive, an audio file…). */
  | { kind: "binary" };

const startsWith = (b: Uint8Array, sig: number[], at = 0) => b.length >= at + sig.length && sig.every((x, i) => b[at + i] === x);
const ascii = (s: string) => [...s].map((c) => c.charCodeAt(0));

const SNIFF_BYTES = 1 << 20;

/** Valid UTF-8 with no NUL and few control characters: a text file. */
function looksLikeText(b: Uint8Array): boolean {
  let text: string;
  try {
    // The first megabyte decides; the whole text is decoded (strictly) when it is extracted.
    const head = b.length > SNIFF_BYTES ? trimToCharBoundary(b.subarray(0, SNIFF_BYTES)) : b;
    text = new TextDecoder("utf-8", { fatal: true }).decode(head);
  } catch {
    return false;
  }
  let control = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0) return false;
    if (c < 32 && c !== 9 && c !== 10 && c !== 13 && c !== 12) control++;
  }
  return control <= text.length / 100;
}

/** A prefix of UTF-8 bytes cut before a character that the cut would split. */
function trimToCharBoundary(b: Uint8Array): Uint8Array {
  let end = b.length;
  for (let k = 0; k < 4 && end > 0; k++) {
    const c = b[end - 1]!;
    if ((c & 0xc0) === 0x80) end--;
    else if (c >= 0xc0) {
      end--;
      break;
    } else break;
  }
  return b.subarray(0, end);
}

/** The file's real type from its first bytes (magic numbers), never from its name. */
export function sniff(b: Uint8Array): Sniffed {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { kind: "image", mime: "image/png" };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { kind: "image", mime: "image/jpeg" };
  if (startsWith(b, ascii("GIF87a")) || startsWith(b, ascii("GIF89a"))) return { kind: "image", mime: "image/gif" };
  if (startsWith(b, ascii("RIFF")) && startsWith(b, ascii("WEBP"), 8)) return { kind: "image", mime: "image/webp" };
  if (startsWith(b, ascii("%PDF-"))) return { kind: "pdf" };
  if (startsWith(b, [0x50, 0x4b, 0x03, 0x04])) return { kind: "zip" };
  // A UTF-8 byte order mark, then text.
  const body = startsWith(b, [0xef, 0xbb, 0xbf]) ? b.subarray(3) : b;
  return looksLikeText(body) ? { kind: "text" } : { kind: "binary" };
}

/** What a file's name claims it is. */
export type Claimed = { kind: "image"; mime: ImageMime } | { kind: "pdf" } | { kind: "docx" } | { kind: "text"; mime: DocumentMime } | { kind: "unsupported" };

export function claimedType(name: string): Claimed {
  const ext = extensionOf(name);
  if (IMAGE_EXTENSIONS[ext]) return { kind: "image", mime: IMAGE_EXTENSIONS[ext]! };
  if (ext === "pdf") return { kind: "pdf" };
  if (ext === "docx") return { kind: "docx" };
  if (TEXT_EXTENSIONS.has(ext)) return { kind: "text", mime: ext === "md" || ext === "markdown" ? "text/markdown" : ext === "csv" ? "text/csv" : "text/plain" };
  return { kind: "unsupported" };
}
