/**
 * Splits a growing Markdown text into top-level blocks so a streaming reply parses each finished
 * block once: only the unfinished tail is parsed again as text arrives.
 *
 * A block ends at a blank line outside fenced code, once the next non-blank line starts at the
 * margin (an indented line continues the block: a list item's second paragraph, indented code).
 * Each call scans only the lines added since the previous one, so a whole reply costs time
 * proportional to its length.
 */
export type BlockSplitter = {
  /** Feeds the whole text so far; returns the finished blocks and the unfinished tail. */
  update(text: string): { blocks: readonly string[]; tail: string };
};

const FENCE = /^ {0,3}(`{3,}|~{3,})/;

export function createBlockSplitter(): BlockSplitter {
  let text = "";
  let blocks: string[] = [];
  let tailStart = 0;
  let pos = 0; // start of the first line not scanned yet
  let fence: string | null = null;
  let pendingBreak: number | null = null; // end of a block's text, once a blank line followed it
  let tailEmpty = true;

  function reset() {
    text = "";
    blocks = [];
    tailStart = 0;
    pos = 0;
    fence = null;
    pendingBreak = null;
    tailEmpty = true;
  }

  function scanLine(start: number, end: number) {
    const line = text.slice(start, end);
    if (fence) {
      const close = line.match(FENCE);
      if (close && close[1]![0] === fence[0] && close[1]!.length >= fence.length && line.trim() === close[1]) fence = null;
      return;
    }
    if (line.trim() === "") {
      if (pendingBreak === null && !tailEmpty) pendingBreak = start;
      return;
    }
    if (pendingBreak !== null) {
      if (line[0] !== " " && line[0] !== "\t") {
        blocks = [...blocks, text.slice(tailStart, pendingBreak).trimEnd()];
        tailStart = start;
      }
      pendingBreak = null;
    } else if (tailEmpty) {
      tailStart = start; // blank lines before the first block
    }
    tailEmpty = false;
    const open = line.match(FENCE);
    if (open) fence = open[1]!;
  }

  return {
    update(next) {
      if (!next.startsWith(text)) reset();
      text = next;
      for (;;) {
        const nl = text.indexOf("\n", pos);
        if (nl === -1) break;
        scanLine(pos, nl);
        pos = nl + 1;
      }
      return { blocks, tail: text.slice(tailStart) };
    },
  };
}

/** True when every code fence in the block is closed (highlighting waits for the closing fence). */
export function hasCompleteCode(block: string): boolean {
  if (!block.includes("```") && !block.includes("~~~")) return false;
  let open: string | null = null;
  let any = false;
  for (const line of block.split("\n")) {
    const m = line.match(FENCE);
    if (!m) continue;
    if (!open) {
      open = m[1]!;
      any = true;
    } else if (m[1]![0] === open[0] && m[1]!.length >= open.length && line.trim() === m[1]) open = null;
  }
  return any && open === null;
}
