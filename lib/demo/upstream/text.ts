/**
 * Readable, varied filler for the demo upstream: seeded by the prompt so the same question
 * gets the same answer (handy in tests), Chinese when the prompt is Chinese.
 */

const EN_OPENERS = [
  "Good question. Here is how I would think about {topic}.",
  "Let's take {topic} step by step.",
  "Short answer first, then the details on {topic}.",
  "There are a few ways to look at {topic}.",
  "Happy to help with {topic}.",
];
const EN_SENTENCES = [
  "Start with the simplest version that works, then measure before you optimise anything.",
  "The key trade-off is between speed and accuracy, and the right balance depends on how the result will be used.",
  "A useful rule of thumb is to write down the assumptions first, because most surprises come from an assumption nobody checked.",
  "If you only remember one thing, make it this: small, reversible steps beat one big leap.",
  "In practice, the boring solution is usually the one that still works a year later.",
  "It helps to look at a concrete example before generalising.",
  "Costs tend to grow with usage, so keep an eye on the few cases that dominate the total.",
  "Most teams find that clear naming and short feedback loops matter more than clever tricks.",
  "When in doubt, test the edge cases: empty input, very large input, and input that arrives twice.",
  "A second opinion is cheap compared with a mistake that reaches production.",
  "The history here is interesting: the first approaches were far simpler than what people use today.",
  "You can think of it like a prepaid phone plan, where every request draws down a shared balance.",
  "Latency is felt more than throughput, so the first response should arrive quickly even if the rest takes longer.",
  "Write the result down in plain words; if it is hard to explain, it is probably not finished.",
  "Keep the data close to where it is used and the code close to where it changes.",
  "Numbers without units are a trap, so always say whether you mean tokens, seconds or yuan.",
];
const EN_LISTS = [
  ["Define the goal in one sentence.", "List what you already know.", "Pick the smallest next step.", "Check the result against the goal."],
  ["Gather the inputs.", "Validate them early.", "Do the work in one place.", "Report what happened."],
  ["Try it on a tiny example.", "Scale up gradually.", "Watch the costs.", "Keep notes for next time."],
];
const EN_CLOSERS = [
  "Let me know if you want me to go deeper on any part.",
  "I hope that helps — ask a follow-up if anything is unclear.",
  "That should be enough to get started.",
  "(This answer comes from the Unitoken demo model.)",
];

const ZH_OPENERS = [
  "好问题。关于「{topic}」，我的看法如下。",
  "我们一步一步来看「{topic}」。",
  "先给结论，再展开说说「{topic}」。",
  "关于「{topic}」，可以从几个角度来理解。",
  "很高兴帮你梳理「{topic}」。",
];
const ZH_SENTENCES = [
  "先做出一个能用的最简单版本，再根据测量结果去优化。",
  "关键在于速度和准确度之间的取舍，具体怎么平衡取决于结果的用途。",
  "一个实用的经验是先把假设写下来，因为大多数意外都来自没人检查过的假设。",
  "如果只记住一件事，那就是：小步快跑、随时可以回退，比一次性大改更稳妥。",
  "实际工作中，朴素的方案往往是一年后还能正常运行的那个。",
  "在总结规律之前，先看一个具体的例子会很有帮助。",
  "成本通常随用量增长，所以要特别留意占大头的那几种情况。",
  "很多团队发现，清晰的命名和快速的反馈，比各种技巧更重要。",
  "拿不准的时候，就去测边界情况：空输入、超大输入，以及重复到达的输入。",
  "这就像手机套餐一样，每次请求都会从同一个余额里扣除相应的额度。",
  "用户对延迟的感受比吞吐量更明显，所以第一段回复要尽快送达。",
  "用平实的语言把结果写下来；如果很难解释清楚，说明还没有真正完成。",
  "数字一定要带单位，说清楚是 token、秒，还是元。",
  "多听一个意见的成本，远低于把错误带到线上的代价。",
];
const ZH_LISTS = [
  ["用一句话写清目标。", "列出已经知道的信息。", "选出最小的下一步。", "对照目标检查结果。"],
  ["收集输入。", "尽早校验。", "在一个地方完成处理。", "汇报处理结果。"],
  ["先在小例子上试一试。", "再逐步扩大规模。", "随时关注成本。", "记录经验，下次复用。"],
];
const ZH_CLOSERS = [
  "如果想深入了解某一部分，随时告诉我。",
  "希望对你有帮助，有不清楚的地方可以继续追问。",
  "以上内容应该足够你开始了。",
  "（本回答由 Unitoken 演示模型生成。）",
];

export function hasChinese(text: string): boolean {
  return /[\u3400-\u9fff]/.test(text);
}

function hash(s: string): number {
  let h = 2166136261;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 16777619);
  }
  return h >>> 0;
}

/** mulberry32: tiny seeded PRNG. */
export function seededRandom(seed: string): () => number {
  let a = hash(seed);
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function topicOf(prompt: string, zh: boolean): string {
  const clean = prompt.replace(/\s+/g, " ").trim();
  if (!clean) return zh ? "这个问题" : "your question";
  const max = zh ? 16 : 48;
  return clean.length > max ? clean.slice(0, max).trimEnd() + "…" : clean;
}

/**
 * An answer of roughly `approxWords` words (or about 1.6× that many Chinese characters).
 * Callers trim to an exact token budget.
 */
export function generateReply(prompt: string, seed: string, approxWords: number): string {
  const zh = hasChinese(prompt);
  const rnd = seededRandom(seed + "\u0000" + prompt);
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rnd() * xs.length)];
  const opener = pick(zh ? ZH_OPENERS : EN_OPENERS).replace("{topic}", topicOf(prompt, zh));
  const sentences = zh ? ZH_SENTENCES : EN_SENTENCES;
  const parts: string[] = [opener];
  let size = 0;
  const target = Math.max(1, approxWords);
  const unit = (s: string) => (zh ? s.length / 1.6 : s.split(" ").length);
  let paragraph: string[] = [];
  let usedList = false;
  while (size < target) {
    if (!usedList && size > target / 3 && rnd() < 0.5) {
      usedList = true;
      if (paragraph.length) parts.push(paragraph.join(zh ? "" : " "));
      paragraph = [];
      const items = pick(zh ? ZH_LISTS : EN_LISTS);
      parts.push(items.map((it, i) => `${i + 1}. ${it}`).join("\n"));
      size += items.reduce((n, it) => n + unit(it), 0);
      continue;
    }
    const s = pick(sentences);
    paragraph.push(s);
    size += unit(s);
    if (paragraph.length >= 2 + Math.floor(rnd() * 3)) {
      parts.push(paragraph.join(zh ? "" : " "));
      paragraph = [];
    }
  }
  if (paragraph.length) parts.push(paragraph.join(zh ? "" : " "));
  parts.push(pick(zh ? ZH_CLOSERS : EN_CLOSERS));
  return parts.join("\n\n");
}

/** Splits text into stream pieces: words with their leading space, or 1–3 CJK characters. */
export function splitPieces(text: string): string[] {
  const out: string[] = [];
  const re = /\s*[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]{1,2}|\s*[^\s\u3400-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+$/gy;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    if (m[0] === "") break;
    out.push(m[0]);
  }
  const joined = out.join("");
  if (joined !== text) return [text];
  return out;
}
