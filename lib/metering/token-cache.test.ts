import { describe, expect, it } from "vitest";
import { countChatTokens, countDefinitionTokens, countTokens, hasLongRun, TokenCountCache } from "./tokens";

describe("hasLongRun", () => {
  it("answers as /\\S{257,}/ does, for every UTF-16 code unit as the run's character", () => {
    const re = /\S{257,}/;
    const differ: number[] = [];
    for (let c = 0; c < 0x10000; c++) {
      const ch = String.fromCharCode(c);
      const run = ch.repeat(257);
      if (hasLongRun(run) !== re.test(run)) differ.push(c);
    }
    expect(differ).toEqual([]);
  });

  it("agrees with the expression on mixed text, runs at the limit and from an offset", () => {
    const re = /\S{257,}/;
    const pieces = ["a", "字", " ", "\n", "\u3000", "\u00a0", "😀", "x".repeat(200), "y".repeat(256), "z".repeat(257), "\t"];
    let seed = 7;
    const rand = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    for (let i = 0; i < 2000; i++) {
      let t = "";
      for (let k = Math.floor(rand() * 12); k >= 0; k--) t += pieces[Math.floor(rand() * pieces.length)];
      expect(hasLongRun(t), JSON.stringify(t.slice(0, 40))).toBe(re.test(t));
      const from = Math.floor(rand() * (t.length + 1));
      expect(hasLongRun(t, from)).toBe(re.test(t.slice(from)));
    }
    expect(hasLongRun("x".repeat(256))).toBe(false);
    expect(hasLongRun("x".repeat(257))).toBe(true);
  });
});

describe("TokenCountCache", () => {
  const long = (s: string) => `${s} `.repeat(200);

  it("counts exactly what countTokens counts, remembered or not", () => {
    const cache = new TokenCountCache();
    const texts = ["short", long("你好，世界"), long('tool definitions {"type":"object"}'), JSON.stringify({ a: "x".repeat(5000) })];
    for (const t of texts) for (let i = 0; i < 3; i++) expect(cache.count("u1", t)).toBe(countTokens(t));
    const messages = [
      { role: "system", content: long("You are a coding agent.") },
      { role: "user", content: "hi" },
    ];
    expect(countChatTokens(messages, cache.counter("u1"))).toBe(countChatTokens(messages));
    expect(countDefinitionTokens(long("{}"), cache.counter("u1"))).toBe(countDefinitionTokens(long("{}")));
  });

  it("remembers long texts per scope, not short ones, and a repeat adds nothing", () => {
    const cache = new TokenCountCache({ maxChars: 1_000_000, minChars: 256 });
    cache.count("u1", "short text");
    expect(cache.size).toBe(0);
    const t = long("the same history");
    cache.count("u1", t);
    cache.count("u1", t);
    expect(cache.size).toBe(1);
    // Another user's identical text is its own entry: one user's requests never time another's.
    cache.count("u2", t);
    expect(cache.size).toBe(2);
  });

  it("holds at most maxChars of text, dropping the least recently used first", () => {
    // Ten texts of 2,600 characters (2,602 with the scope) under a bound of 24,000: nine are kept.
    const cache = new TokenCountCache({ maxChars: 24_000, minChars: 256 });
    const texts = Array.from({ length: 10 }, (_, i) => long(`text nr ${String(i).padStart(4, "0")}`));
    for (const t of texts) cache.count("u", t);
    expect(texts[0]!.length).toBe(2600);
    expect(cache.size).toBe(9);
    expect(cache.has("u", texts[0]!)).toBe(false);
    expect(cache.has("u", texts[1]!)).toBe(true);
    // Using the oldest kept entry keeps it when the next text comes in: the next oldest goes.
    cache.count("u", texts[1]!);
    cache.count("u", long("one more"));
    expect(cache.has("u", texts[1]!)).toBe(true);
    expect(cache.has("u", texts[2]!)).toBe(false);
    expect(cache.size).toBe(9);
    // A text over an eighth of the bound is counted and not remembered.
    expect(cache.count("u", long("x".repeat(20)))).toBe(countTokens(long("x".repeat(20))));
    expect(cache.has("u", long("x".repeat(20)))).toBe(false);
    expect(cache.size).toBe(9);
  });
});
