import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { randomUUID } from "node:crypto";
import JSZip from "jszip";
import { createTestDb } from "@/lib/testing/db";
import { docxParts, makePdf, makePng, makeZip } from "@/lib/testing/files";
import type { Database } from "@/lib/db/types";
import { attachment, user } from "@/lib/db/schema";
import { countTokens } from "@/lib/metering";
import { databaseStore, documentContext, readUpload, sniff, uploadAttachment } from ".";

const NOW = new Date("2026-05-10T04:00:00Z");
let db: Database;
let close: () => Promise<void>;

beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

async function newUser() {
  const id = randomUUID();
  await db.insert(user).values({ id, phone: `139${String(Math.floor(Math.random() * 1e8)).padStart(8, "0")}` });
  return id;
}

async function docx(paragraphs: string[]): Promise<Buffer> {
  const z = new JSZip();
  for (const p of docxParts(paragraphs)) z.file(p.name, p.data);
  return z.generateAsync({ type: "nodebuffer", compression: "DEFLATE" });
}

describe("reading an upload", () => {
  it("reads an image's real type and size from its bytes", async () => {
    const r = await readUpload("photo.png", makePng(800, 600));
    expect(r).toMatchObject({ ok: true, kind: "image", mime: "image/png", width: 800, height: 600, tokens: 0 });
    // The bytes decide the image type, not the extension.
    expect(await readUpload("photo.jpg", makePng(3, 2))).toMatchObject({ ok: true, mime: "image/png", width: 3, height: 2 });
  });

  it("extracts a PDF's text and counts its tokens as sent", async () => {
    const r = await readUpload("report.pdf", makePdf(["Quarterly Report", "Revenue grew 12 percent."]));
    expect(r.ok).toBe(true);
    if (!r.ok || r.kind !== "document") throw new Error("not a document");
    expect(r.text).toContain("Quarterly Report");
    expect(r.text).toContain("Revenue grew 12 percent.");
    expect(r.tokens).toBe(countTokens(documentContext("report.pdf", r.text)));
  });

  it("refuses a PDF without a text layer with its own code", async () => {
    expect(await readUpload("scan.pdf", makePdf(null))).toMatchObject({ ok: false, code: "pdf_no_text" });
  });

  it("extracts a Word document's text", async () => {
    const r = await readUpload("计划.docx", await docx(["项目计划", "第一阶段：调研"]));
    expect(r).toMatchObject({ ok: true, kind: "document", mime: "application/vnd.openxmlformats-officedocument.wordprocessingml.document" });
    if (r.ok && r.kind === "document") expect(r.text).toMatch(/项目计划\s+第一阶段：调研/);
  });

  it("refuses a zip bomb before the document library reads it, whether its headers tell the truth or lie", async () => {
    const zeros = Buffer.alloc(80 * 1024 * 1024);
    const honest = makeZip([...docxParts(["x"]), { name: "word/media/big.bin", data: zeros }]);
    expect(honest.length).toBeLessThan(200_000);
    expect(await readUpload("bomb.docx", honest)).toMatchObject({ ok: false, code: "zip_bomb" });
    const lying = makeZip([...docxParts(["x"]), { name: "word/media/big.bin", data: zeros, declaredSize: 1000 }]);
    expect(await readUpload("bomb.docx", lying)).toMatchObject({ ok: false, code: "zip_bomb" });
  });

  it("reads text, Markdown, CSV and code, in UTF-8 or GB18030", async () => {
    expect(await readUpload("notes.md", Buffer.from("# 标题\n\n正文"))).toMatchObject({ ok: true, mime: "text/markdown", text: "# 标题\n\n正文" });
    expect(await readUpload("main.py", Buffer.from("print('hi')\n"))).toMatchObject({ ok: true, mime: "text/plain" });
    const gbk = Buffer.from([0xc4, 0xe3, 0xba, 0xc3, 0x2c, 0x31, 0x0a]); // "你好,1" in GBK
    expect(await readUpload("表.csv", gbk)).toMatchObject({ ok: true, mime: "text/csv", text: "你好,1" });
  });

  it("refuses a renamed binary, an empty file, an unsupported type and an oversized one", async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]), Buffer.alloc(64)]);
    expect(sniff(elf)).toEqual({ kind: "binary" });
    expect(await readUpload("readme.txt", elf)).toMatchObject({ ok: false, code: "type_mismatch" });
    expect(await readUpload("photo.png", makePdf(["hi"]))).toMatchObject({ ok: false, code: "type_mismatch" });
    expect(await readUpload("paper.pdf", makePng(2, 2))).toMatchObject({ ok: false, code: "type_mismatch" });
    expect(await readUpload("letter.docx", Buffer.from("plain text"))).toMatchObject({ ok: false, code: "type_mismatch" });
    expect(await readUpload("empty.txt", Buffer.alloc(0))).toMatchObject({ ok: false, code: "empty_file" });
    expect(await readUpload("app.exe", elf)).toMatchObject({ ok: false, code: "unsupported_type" });
    expect(await readUpload("big.png", Buffer.alloc(10 * 1024 * 1024 + 1))).toMatchObject({
      ok: false,
      code: "file_too_large",
      details: { limit: 10 * 1024 * 1024 },
    });
    expect(await readUpload("corrupt.pdf", Buffer.from("%PDF-1.4\nnot really"))).toMatchObject({ ok: false });
  });
});

describe("storing attachments", () => {
  it("keeps the bytes and reads them back only for their owner (a foreign id is not found)", async () => {
    const alice = await newUser();
    const bob = await newUser();
    const png = makePng(16, 9);
    const up = await uploadAttachment(db, databaseStore, { userId: alice, name: "a/b/截图.png", bytes: png, now: NOW });
    expect(up).toMatchObject({ ok: true, attachment: { kind: "image", name: "截图.png", width: 16, height: 9, byteSize: png.length } });
    if (!up.ok) return;
    const mine = await databaseStore.get(db, { ownerUserId: alice, id: up.attachment.id });
    expect(Buffer.from(mine!.content).equals(png)).toBe(true);
    expect(await databaseStore.get(db, { ownerUserId: bob, id: up.attachment.id })).toBeNull();
    expect(await databaseStore.get(db, { ownerUserId: alice, id: "not-an-id" })).toBeNull();
    expect(await databaseStore.list(db, { ownerUserId: bob, ids: [up.attachment.id] })).toEqual([]);
    expect(await databaseStore.delete(db, { ownerUserId: bob, id: up.attachment.id })).toBe(false);
    expect(await databaseStore.delete(db, { ownerUserId: alice, id: up.attachment.id })).toBe(true);
    expect(await databaseStore.get(db, { ownerUserId: alice, id: up.attachment.id })).toBeNull();
  });

  it("stores nothing for a refused file", async () => {
    const carol = await newUser();
    expect(await uploadAttachment(db, databaseStore, { userId: carol, name: "scan.pdf", bytes: makePdf(null), now: NOW })).toMatchObject({
      ok: false,
      code: "pdf_no_text",
    });
    const { eq } = await import("drizzle-orm");
    expect(await db.select().from(attachment).where(eq(attachment.ownerUserId, carol))).toEqual([]);
  });
});
