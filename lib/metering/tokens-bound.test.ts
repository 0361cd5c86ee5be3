import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { chatTokensUpperBound, countChatTokens } from "./tokens";
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
