import { describe, expect, it } from "vitest";
import { OPENAI_TILE_RULE, imageTokens, maxImageTokens } from "@/lib/metering";
import { toPipelineMessages } from "@/lib/gateway/request";
import { getModel, imageTokenRule, imageUrlTokens, modelImageTokens, modelMaxImageTokens } from ".";

/** The first bytes of a PNG of this size: all a size reader needs. */
function pngDataUrl(width: number, height: number): string {
  const b = Buffer.alloc(33);
  Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]).copy(b, 0);
  b.writeUInt32BE(13, 8);
  b.write("IHDR", 12, "ascii");
  b.writeUInt32BE(width, 16);
  b.writeUInt32BE(height, 20);
  b[24] = 8;
  b[25] = 6;
  return `data:image/png;base64,${b.toString("base64")}`;
}

describe("image tokens", () => {
  it("follows OpenAI's tile rule by default", () => {
    expect(imageTokens(OPENAI_TILE_RULE, { width: 1024, height: 1024 })).toBe(765); // 768×768 → 4 tiles
    expect(imageTokens(OPENAI_TILE_RULE, { width: 800, height: 600 })).toBe(765); // 2×2 tiles
    expect(imageTokens(OPENAI_TILE_RULE, { width: 2048, height: 4096 })).toBe(85 + 170 * 6); // → 1024×2048 → 768×1536
    expect(imageTokens(OPENAI_TILE_RULE, { width: 100, height: 100 })).toBe(255);
    expect(imageTokens(OPENAI_TILE_RULE, { width: 512, height: 513 })).toBe(85 + 170 * 2);
  });

  it("bills by area where the catalog data says the provider does", () => {
    expect(imageTokenRule("anthropic")).toMatchObject({ kind: "pixels", pixelsPerToken: 750 });
    expect(imageTokenRule("openai")).toBe(OPENAI_TILE_RULE);
    expect(imageTokens(imageTokenRule("anthropic"), { width: 1092, height: 1092 })).toBe(1590);
    expect(imageTokens(imageTokenRule("anthropic"), { width: 4000, height: 4000 })).toBe(1600);
    expect(imageTokens(imageTokenRule("volcengine-ark"), { width: 28 * 10, height: 28 * 10 })).toBe(100 + 2);
  });

  it("holds a model's image at the dearest of its routes' rules and the default", () => {
    const claude = getModel("claude-sonnet-4")!;
    const gpt = getModel("gpt-4o-mini")!;
    expect(modelImageTokens(claude, { width: 1092, height: 1092 })).toBe(1590);
    expect(modelImageTokens(gpt, { width: 1092, height: 1092 })).toBe(765);
    // A small image: the default tile rule is the dearer one.
    expect(modelImageTokens(claude, { width: 100, height: 100 })).toBe(255);
  });

  it("holds an image sent by URL at its measured size, or at the most any image could cost", () => {
    const gpt = getModel("gpt-4o-mini")!;
    const claude = getModel("claude-sonnet-4")!;
    expect(maxImageTokens(OPENAI_TILE_RULE)).toBe(85 + 170 * 8); // 768×2048 → 2×4 tiles
    expect(maxImageTokens(imageTokenRule("anthropic"))).toBe(1600);
    expect(maxImageTokens(imageTokenRule("volcengine-ark"))).toBe(16384 + 2);
    expect(modelMaxImageTokens(gpt)).toBe(1445);
    expect(modelMaxImageTokens(claude)).toBe(1600);
    expect(imageUrlTokens(gpt, pngDataUrl(800, 600))).toBe(765);
    expect(imageUrlTokens(gpt, pngDataUrl(800, 2000))).toBe(1445);
    expect(imageUrlTokens(gpt, pngDataUrl(100, 100))).toBe(255);
    // A remote image, or bytes that are not an image: the most an image can cost on the model.
    expect(imageUrlTokens(gpt, "https://example.com/a.png")).toBe(1445);
    expect(imageUrlTokens(gpt, "data:image/png;base64,iVBORw0KGgo=")).toBe(1445);
    expect(imageUrlTokens(claude, "https://example.com/a.png")).toBe(1600);
    // The API's messages carry what their images are held for.
    const [m] = toPipelineMessages(
      [
        {
          role: "user",
          content: [
            { type: "text", text: "two" },
            { type: "image_url", image_url: { url: pngDataUrl(100, 100) } },
            { type: "image_url", image_url: { url: "https://example.com/b.jpg" } },
          ],
        },
      ],
      (url) => imageUrlTokens(gpt, url),
    );
    expect(m.imageTokens).toBe(255 + 1445);
  });
});
