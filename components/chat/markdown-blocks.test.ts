import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { createBlockSplitter, hasCompleteCode } from "./markdown-blocks";

const split = (text: string) => createBlockSplitter().update(text);

describe("markdown blocks", () => {
  it("splits at blank lines outside code fences, keeping indented continuations together", () => {
    const text = "# Title\n\nFirst para\nstill first\n\n```js\na\n\nb\n```\n\n- item\n\n  more of item\n\nlast\n";
    expect(split(text)).toEqual({
      blocks: ["# Title", "First para\nstill first", "```js\na\n\nb\n```", "- item\n\n  more of item"],
      tail: "last\n", // a line counts once its line break has arrived
    });
  });

  it("fed piece by piece, gives what the whole text gives, and never changes a finished block", () => {
    const piece = fc.constantFrom("word ", "词", "\n", "\n\n", "```", "```py\n", "~~~\n", "  ", "- ", "1. ", "|a|b|\n", "> ");
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 80 }), fc.array(fc.integer({ min: 1, max: 7 }), { maxLength: 80 }), (pieces, cuts) => {
        const text = pieces.join("");
        const s = createBlockSplitter();
        let at = 0;
        let seen: readonly string[] = [];
        for (const n of cuts) {
          at = Math.min(text.length, at + n);
          const { blocks } = s.update(text.slice(0, at));
          expect(blocks.slice(0, seen.length)).toEqual(seen);
          seen = blocks;
        }
        expect(s.update(text)).toEqual(split(text));
      }),
      { numRuns: 300 },
    );
  });

  it("highlights a block only once its fences are closed", () => {
    expect(hasCompleteCode("```ts\nconst a = 1;")).toBe(false);
    expect(hasCompleteCode("```ts\nconst a = 1;\n```")).toBe(true);
    expect(hasCompleteCode("````\n```\n````")).toBe(true);
    expect(hasCompleteCode("plain")).toBe(false);
  });
});
