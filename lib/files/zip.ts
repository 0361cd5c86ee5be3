import { inflateRawSync } from "node:zlib";

/**
 * A ZIP archive (a .docx) checked before any library reads it: the central directory is read by
 * hand, every entry's declared sizes are summed, and then each entry is really inflated with a
 * hard output cap — a header that lies about its size cannot expand past the budget either.
 * Returns the entries' names, or why the archive is refused.
 */
export function checkZip(
  b: Uint8Array,
  limits: { maxUncompressed: number; maxRatio: number; maxEntries?: number },
): { ok: true; names: string[] } | { ok: false; code: "zip_bomb" | "corrupt_file" } {
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  // End of central directory: 22 bytes plus a comment of up to 65535.
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return { ok: false, code: "corrupt_file" };
  const count = buf.readUInt16LE(eocd + 10);
  const cdSize = buf.readUInt32LE(eocd + 12);
  const cdOffset = buf.readUInt32LE(eocd + 16);
  // ZIP64 (0xFFFF / 0xFFFFFFFF markers) is never needed by a document this size.
  if (count === 0xffff || cdOffset === 0xffffffff || cdOffset + cdSize > eocd) return { ok: false, code: "corrupt_file" };
  if (count > (limits.maxEntries ?? 5000)) return { ok: false, code: "zip_bomb" };
  const names: string[] = [];
  let declared = 0;
  let inflated = 0;
  let p = cdOffset;
  for (let n = 0; n < count; n++) {
    if (p + 46 > buf.length || buf.readUInt32LE(p) !== 0x02014b50) return { ok: false, code: "corrupt_file" };
    const method = buf.readUInt16LE(p + 10);
    const compressed = buf.readUInt32LE(p + 20);
    const size = buf.readUInt32LE(p + 24);
    const nameLen = buf.readUInt16LE(p + 28);
    const extraLen = buf.readUInt16LE(p + 30);
    const commentLen = buf.readUInt16LE(p + 32);
    const local = buf.readUInt32LE(p + 42);
    const name = buf.subarray(p + 46, p + 46 + nameLen).toString("utf8");
    p += 46 + nameLen + extraLen + commentLen;
    names.push(name);
    declared += size;
    if (declared > limits.maxUncompressed) return { ok: false, code: "zip_bomb" };
    if (size > 1024 * 1024 && size > compressed * limits.maxRatio) return { ok: false, code: "zip_bomb" };
    if (method !== 0 && method !== 8) return { ok: false, code: "corrupt_file" };
    // The data itself, after the local header (its own name and extra lengths).
    if (local + 30 > buf.length || buf.readUInt32LE(local) !== 0x04034b50) return { ok: false, code: "corrupt_file" };
    const start = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    if (start + compressed > buf.length) return { ok: false, code: "corrupt_file" };
    const data = buf.subarray(start, start + compressed);
    if (method === 0) {
      inflated += compressed;
    } else {
      const budget = limits.maxUncompressed - inflated;
      try {
        inflated += inflateRawSync(data, { maxOutputLength: Math.max(1, budget) }).length;
      } catch (e) {
        const code = (e as { code?: string }).code;
        return { ok: false, code: code === "ERR_BUFFER_TOO_LARGE" || e instanceof RangeError ? "zip_bomb" : "corrupt_file" };
      }
    }
    if (inflated > limits.maxUncompressed) return { ok: false, code: "zip_bomb" };
  }
  return { ok: true, names };
}
