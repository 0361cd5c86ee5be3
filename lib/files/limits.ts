/** What an attachment may be: sizes, counts and kinds (README "Attachments"). */
export const FILE_LIMITS = {
  imageBytes: 10 * 1024 * 1024,
  documentBytes: 20 * 1024 * 1024,
  imagesPerMessage: 4,
  /** Files of any kind on one message. */
  filesPerMessage: 8,
  /** A docx's parts uncompressed, all together: beyond this it is refused as a zip bomb. */
  docxUncompressedBytes: 64 * 1024 * 1024,
  /** A docx part may not expand more than this many times its compressed size. */
  docxMaxRatio: 200,
  /** Extracted text beyond this many characters is more than any model's context. */
  textChars: 2_000_000,
  /** An image's sides (pixels). */
  imageSide: 20_000,
  nameChars: 200,
} as const;

export type ImageMime = "image/png" | "image/jpeg" | "image/webp" | "image/gif";
export type DocumentMime =
  | "application/pdf"
  | "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
  | "text/plain"
  | "text/markdown"
  | "text/csv";

/** Extensions read as plain text (code and data files); what a model gets is their text. */
export const TEXT_EXTENSIONS = new Set([
  "txt",
  "md",
  "markdown",
  "csv",
  "tsv",
  "json",
  "jsonl",
  "yaml",
  "yml",
  "toml",
  "ini",
  "xml",
  "html",
  "htm",
  "css",
  "scss",
  "js",
  "mjs",
  "cjs",
  "jsx",
  "ts",
  "tsx",
  "py",
  "rb",
  "go",
  "rs",
  "java",
  "kt",
  "swift",
  "c",
  "h",
  "cc",
  "cpp",
  "hpp",
  "cs",
  "php",
  "sh",
  "bash",
  "zsh",
  "sql",
  "r",
  "lua",
  "pl",
  "scala",
  "dart",
  "vue",
  "svelte",
  "log",
  "tex",
]);

export const IMAGE_EXTENSIONS: Record<string, ImageMime> = {
  png: "image/png",
  jpg: "image/jpeg",
  jpeg: "image/jpeg",
  webp: "image/webp",
  gif: "image/gif",
};

/** What the file picker offers (the server decides from the bytes anyway). */
export const ACCEPT_ATTRIBUTE = [".png,.jpg,.jpeg,.webp,.gif,.pdf,.docx", [...TEXT_EXTENSIONS].map((e) => `.${e}`).join(",")].join(",");

export function extensionOf(name: string): string {
  const m = /\.([A-Za-z0-9]{1,10})$/.exec(name);
  return m ? m[1]!.toLowerCase() : "";
}
