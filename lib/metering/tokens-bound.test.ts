import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { GrowingCount, chatTokensUpperBound, countChatTokens, countTokens } from "./tokens";
type PipelineMessage = { role: "system" | "user" | "assistant"; content: string };

const role = fc.constantFrom<PipelineMessage["role"]>("system", "user", "assistant");

describe("chatTokensUpperBound", () => {
  it("is never below the exact count, for any text (CJK, emoji, long runs, special-token text)", () => {
    const text = fc.oneof(
      fc.string({ unit: "grapheme", maxLength: 300 }),
      fc.string({ unit: "binary", maxLength: 300 }),
      fc.constantFrom("<|endoftext|>", "你好，世界".repeat(40), "x".repeat(2000), "👍🏽".repeat(50)),
    );
    fc.assert(
      fc.property(fc.array(fc.record({ role, content: text }), { maxLength: 6 }), (messages) => {
        expect(chatTokensUpperBound(messages)).toBeGreaterThanOrEqual(countChatTokens(messages));
      }),
      { numRuns: 300 },
    );
  });

  it("counts framing for an empty chat exactly", () => {
    expect(chatTokensUpperBound([])).toBe(countChatTokens([]));
  });
});

describe("GrowingCount", () => {
  it("counts a text growing in pieces exactly as counting it whole (CJK, English, code, line breaks)", () => {
    const piece = fc.oneof(
      fc.constantFrom("\n", "\n\n", " ", "/", "。", "，", "\n/", "\n- ", "```\n", "\t"),
      fc.string({ unit: "grapheme", maxLength: 12 }),
      fc.constantFrom("复利就是利滚利", "The quick brown fox", "function f(x) { return x; }", "1234567", "你好，世界！", "👍🏽", "x".repeat(300)),
    );
    fc.assert(
      fc.property(fc.array(fc.array(piece, { minLength: 1, maxLength: 6 }), { minLength: 1, maxLength: 12 }), (notes) => {
        const g = new GrowingCount();
        let text = "";
        for (const n of notes) {
          text += n.join("");
          expect(g.count(text)).toBe(countTokens(text));
        }
      }),
      { numRuns: 400 },
    );
  });
});
