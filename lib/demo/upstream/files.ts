import { imageSize } from "image-size";
import { IMAGE_TOKENS, OPENAI_TILE_RULE, imageTokens } from "@/lib/metering";

/** An image part's size, read from a data URL's bytes (null for a URL the demo does not fetch). */
export function dataUrlImageSize(url: string): { width: number; height: number } | null {
  const m = /^data:image\/[a-z+.-]+;base64,/i.exec(url);
  if (!m) return null;
  try {
    const s = imageSize(Buffer.from(url.slice(m[0].length), "base64"));
    return s.width && s.height ? { width: s.width, height: s.height } : null;
  } catch {
    return null;
  }
}

type Part = { type?: unknown; image_url?: { url?: unknown } | null };

function imageUrls(content: unknown): string[] {
  if (!Array.isArray(content)) return [];
  return (content as Part[]).flatMap((p) => (p && p.type === "image_url" && typeof p.image_url?.url === "string" ? [p.image_url.url] : []));
}

/**
 * What a message's images cost as the demo model bills them: OpenAI's tile rule for an image
 * it can measure (a data URL), IMAGE_TOKENS for one it cannot; undefined without images.
 */
export function demoImageTokens(content: unknown): number | undefined {
  const urls = imageUrls(content);
  if (urls.length === 0) return undefined;
  return urls.reduce((n, u) => {
    const size = dataUrlImageSize(u);
    return n + (size ? imageTokens(OPENAI_TILE_RULE, size) : IMAGE_TOKENS);
  }, 0);
}

const FILE_BLOCK = /<file name="([^"]*)">\n([\s\S]*?)\n<\/file>/g;

/** The files (name and first heading or first line) and images a user message carries, and its own text. */
export function describeInputs(
  content: unknown,
  text: string,
): { images: { width: number; height: number }[]; files: { name: string; first: string }[]; text: string } {
  const images = imageUrls(content).map((u) => dataUrlImageSize(u) ?? { width: 0, height: 0 });
  const files: { name: string; first: string }[] = [];
  for (const m of text.matchAll(FILE_BLOCK)) {
    const lines = m[2]!
      .split("\n")
      .map((l) => l.trim())
      .filter(Boolean);
    const heading = lines.find((l) => /^#{1,6}\s/.test(l));
    files.push({ name: m[1]!, first: (heading ?? lines[0] ?? "").replace(/^#{1,6}\s+/, "").slice(0, 60) });
  }
  return {
    images,
    files,
    text: text
      .replace(FILE_BLOCK, "")
      .replace(/\[图片 [^\]]*\]/g, "")
      .trim(),
  };
}

/** The demo model's first sentence about what it received (empty when nothing was attached). */
export function inputsIntro(d: ReturnType<typeof describeInputs>, zh: boolean): string {
  const out: string[] = [];
  const size = (i: { width: number; height: number }) => (i.width ? `${i.width}×${i.height}` : zh ? "未知尺寸" : "unknown-size");
  if (d.images.length === 1) out.push(zh ? `收到一张 ${size(d.images[0]!)} 的图片。` : `I received one ${size(d.images[0]!)} image.`);
  else if (d.images.length > 1)
    out.push(
      zh ? `收到 ${d.images.length} 张图片：${d.images.map(size).join("、")}。` : `I received ${d.images.length} images: ${d.images.map(size).join(", ")}.`,
    );
  for (const f of d.files) out.push(zh ? `已读文件《${f.name}》，开头是“${f.first}”。` : `I read the file "${f.name}", which starts with "${f.first}".`);
  return out.join("");
}
