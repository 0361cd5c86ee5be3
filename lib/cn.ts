import { clsx, type ClassValue } from "clsx";

/**
 * Joins class names and lets a later Tailwind utility replace an earlier one of the same kind
 * ("px-4" … "px-0", "text-sm" … "text-xs", "bg-white" … "bg-slate-50"), per variant
 * ("hover:", "lg:" …). The same rule as tailwind-merge for the utilities this app writes, in a
 * fraction of its size: it ships on every page. `cn.test.ts` checks every pair of classes used in
 * the source against tailwind-merge, so a utility this table does not know fails a test.
 */
export function cn(...inputs: ClassValue[]): string {
  return mergeClasses(clsx(inputs));
}

const COLOR =
  "(?:inherit|current|transparent|black|white|(?:slate|gray|zinc|neutral|stone|red|orange|amber|yellow|lime|green|emerald|teal|cyan|sky|blue|indigo|violet|purple|fuchsia|pink|rose|brand)-\\d{2,3})(?:/\\d+)?|\\[(?:#|color:|rgb|hsl|var\\(--color).*\\]";
const SPACE = "(?:\\d+(?:\\.\\d+)?|px|auto|\\[.+\\])";
const LEN = "(?:\\d+(?:\\.\\d+)?|\\d+/\\d+|px|full|auto|screen|dvh|svh|lvh|min|max|fit|prose|none|xs|sm|md|lg|xl|[2-7]xl|\\[.+\\])";

/** [group, pattern]: the first pattern that matches a utility names its group. */
const GROUPS: Array<[string, RegExp]> = [
  ["display", /^(?:block|inline-block|inline|flex|inline-flex|grid|inline-grid|hidden|contents|table|table-row|table-cell|flow-root|list-item)$/],
  ["position", /^(?:static|fixed|absolute|relative|sticky)$/],
  ["visibility", /^(?:visible|invisible|collapse)$/],
  ["sr", /^(?:sr-only|not-sr-only)$/],
  ["text-size", /^text-(?:xs|sm|base|lg|xl|[2-9]xl|\[\d[\d.]*(?:px|rem|em)\])(?:\/.+)?$/],
  ["text-align", /^text-(?:left|center|right|justify|start|end)$/],
  ["text-overflow", /^(?:text-ellipsis|text-clip)$/],
  ["text-wrap", /^text-(?:wrap|nowrap|balance|pretty)$/],
  ["text-color", new RegExp(`^text-(?:${COLOR})$`)],
  ["bg-color", new RegExp(`^bg-(?:${COLOR})$`)],
  ["font-weight", /^font-(?:thin|extralight|light|normal|medium|semibold|bold|extrabold|black)$/],
  ["font-family", /^font-(?:sans|serif|mono)$/],
  ["decoration", /^(?:underline|overline|line-through|no-underline)$/],
  ["underline-offset", /^underline-offset-/],
  ["leading", /^leading-/],
  ["tracking", /^tracking-/],
  ["whitespace", /^whitespace-/],
  ["break", /^break-(?:normal|words|all|keep)$/],
  ["truncate", /^truncate$/],
  ["line-clamp", /^line-clamp-(?:\d+|none)$/],
  ["tabular", /^tabular-nums$/],
  ["p", new RegExp(`^p-${SPACE}$`)],
  ["px", new RegExp(`^px-${SPACE}$`)],
  ["py", new RegExp(`^py-${SPACE}$`)],
  ["pt", new RegExp(`^pt-${SPACE}$`)],
  ["pr", new RegExp(`^pr-${SPACE}$`)],
  ["pb", new RegExp(`^pb-${SPACE}$`)],
  ["pl", new RegExp(`^pl-${SPACE}$`)],
  ["m", new RegExp(`^-?m-${SPACE}$`)],
  ["mx", new RegExp(`^-?mx-${SPACE}$`)],
  ["my", new RegExp(`^-?my-${SPACE}$`)],
  ["mt", new RegExp(`^-?mt-${SPACE}$`)],
  ["mr", new RegExp(`^-?mr-${SPACE}$`)],
  ["mb", new RegExp(`^-?mb-${SPACE}$`)],
  ["ml", new RegExp(`^-?ml-${SPACE}$`)],
  ["space-x", new RegExp(`^-?space-x-${SPACE}$`)],
  ["space-y", new RegExp(`^-?space-y-${SPACE}$`)],
  ["size", new RegExp(`^size-${LEN}$`)],
  ["w", new RegExp(`^w-${LEN}$`)],
  ["h", new RegExp(`^h-${LEN}$`)],
  ["min-w", /^min-w-/],
  ["min-h", /^min-h-/],
  ["max-w", /^max-w-/],
  ["max-h", /^max-h-/],
  ["gap", new RegExp(`^gap-${SPACE}$`)],
  ["gap-x", new RegExp(`^gap-x-${SPACE}$`)],
  ["gap-y", new RegExp(`^gap-y-${SPACE}$`)],
  ["rounded", /^rounded(?:-(?:none|xs|sm|md|lg|xl|2xl|3xl|4xl|full|\[.+\]))?$/],
  ...["t", "r", "b", "l", "tl", "tr", "bl", "br"].map((side): [string, RegExp] => [`rounded-${side}`, new RegExp(`^rounded-${side}(?:-.+)?$`)]),
  ["shadow", /^shadow(?:-(?:none|2xs|xs|sm|md|lg|xl|2xl|inner))?$/],
  ["shadow-color", new RegExp(`^shadow-(?:${COLOR})$`)],
  ["ring-w", /^ring(?:-(?:0|1|2|4|8|\[\d+px\]))?$/],
  ["ring-color", new RegExp(`^ring-(?:${COLOR})$`)],
  ["ring-inset", /^ring-inset$/],
  ["ring-offset-w", /^ring-offset-\d+$/],
  ["ring-offset-color", new RegExp(`^ring-offset-(?:${COLOR})$`)],
  ["border-w", /^border(?:-\d+)?$/],
  ["border-w-x", /^border-x(?:-\d+)?$/],
  ["border-w-y", /^border-y(?:-\d+)?$/],
  ["border-w-t", /^border-t(?:-\d+)?$/],
  ["border-w-b", /^border-b(?:-\d+)?$/],
  ["border-w-l", /^border-l(?:-\d+)?$/],
  ["border-w-r", /^border-r(?:-\d+)?$/],
  ["border-color", new RegExp(`^border-(?:${COLOR})$`)],
  ["border-style", /^border-(?:solid|dashed|dotted|double|hidden|none)$/],
  ["outline", /^outline(?:-(?:none|hidden|solid|dashed|dotted|double))?$/],
  ["opacity", /^opacity-/],
  ["items", /^items-/],
  ["justify", /^justify-(?:normal|start|end|center|between|around|evenly|stretch)$/],
  ["self", /^self-/],
  ["content", /^content-(?:normal|center|start|end|between|around|evenly|baseline|stretch)$/],
  ["overflow", /^overflow-(?:auto|hidden|clip|visible|scroll)$/],
  ["overflow-x", /^overflow-x-/],
  ["overflow-y", /^overflow-y-/],
  ["flex-direction", /^flex-(?:row|col|row-reverse|col-reverse)$/],
  ["flex-wrap", /^flex-(?:wrap|nowrap|wrap-reverse)$/],
  ["flex", /^flex-(?:1|auto|initial|none|\[.+\])$/],
  ["shrink", /^shrink(?:-\d+)?$/],
  ["grow", /^grow(?:-\d+)?$/],
  ["grid-cols", /^grid-cols-/],
  ["col-span", /^col-(?:span-.+|auto)$/],
  ["z", /^-?z-/],
  ["inset", new RegExp(`^-?inset-${LEN}$`)],
  ["inset-x", new RegExp(`^-?inset-x-${LEN}$`)],
  ["inset-y", new RegExp(`^-?inset-y-${LEN}$`)],
  ["top", new RegExp(`^-?top-${LEN}$`)],
  ["right", new RegExp(`^-?right-${LEN}$`)],
  ["bottom", new RegExp(`^-?bottom-${LEN}$`)],
  ["left", new RegExp(`^-?left-${LEN}$`)],
  ["cursor", /^cursor-/],
  ["pointer-events", /^pointer-events-/],
  ["select", /^select-(?:none|text|all|auto)$/],
  ["transition", /^transition(?:-(?:none|all|colors|opacity|shadow|transform))?$/],
  ["duration", /^duration-/],
  ["animate", /^animate-/],
  ["object-fit", /^object-(?:contain|cover|fill|none|scale-down)$/],
  ["aspect", /^aspect-/],
  ["list-style", /^list-(?:none|disc|decimal)$/],
  ["gradient-from", new RegExp(`^from-(?:${COLOR})$`)],
  ["gradient-via", new RegExp(`^via-(?:${COLOR})$`)],
  ["gradient-to", new RegExp(`^to-(?:${COLOR})$`)],
  ["divide-color", new RegExp(`^divide-(?:${COLOR})$`)],
  ["backdrop-blur", /^backdrop-blur(?:-.+)?$/],
  ["fill", new RegExp(`^fill-(?:${COLOR})$`)],
  ["stroke", new RegExp(`^stroke-(?:${COLOR})$`)],
];

/** A group a later class replaces, besides its own. */
const ALSO: Record<string, string[]> = {
  p: ["px", "py", "pt", "pr", "pb", "pl"],
  px: ["pr", "pl"],
  py: ["pt", "pb"],
  m: ["mx", "my", "mt", "mr", "mb", "ml"],
  mx: ["mr", "ml"],
  my: ["mt", "mb"],
  size: ["w", "h"],
  gap: ["gap-x", "gap-y"],
  rounded: ["rounded-t", "rounded-r", "rounded-b", "rounded-l", "rounded-tl", "rounded-tr", "rounded-bl", "rounded-br"],
  "rounded-t": ["rounded-tl", "rounded-tr"],
  "rounded-r": ["rounded-tr", "rounded-br"],
  "rounded-b": ["rounded-bl", "rounded-br"],
  "rounded-l": ["rounded-tl", "rounded-bl"],
  "border-w": ["border-w-x", "border-w-y", "border-w-t", "border-w-b", "border-w-l", "border-w-r"],
  "border-w-x": ["border-w-l", "border-w-r"],
  "border-w-y": ["border-w-t", "border-w-b"],
  // tailwind-merge's rule, kept so every class list renders as it did: a font size resets leading.
  "text-size": ["leading"],
  overflow: ["overflow-x", "overflow-y"],
  inset: ["inset-x", "inset-y", "top", "right", "bottom", "left"],
  "inset-x": ["right", "left"],
  "inset-y": ["top", "bottom"],
  truncate: ["text-overflow", "whitespace"],
  "line-clamp": ["display", "overflow"],
  flex: ["shrink", "grow"],
};

const cache = new Map<string, string | null>();

function groupOf(utility: string): string | null {
  let g = cache.get(utility);
  if (g !== undefined) return g;
  g = null;
  for (const [name, re] of GROUPS) {
    if (re.test(utility)) {
      g = name;
      break;
    }
  }
  cache.set(utility, g);
  return g;
}

/** Splits "lg:hover:!px-2" into its sorted variants ("hover:lg:"), importance and utility. */
function parse(cls: string): { variants: string; utility: string } {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < cls.length; i++) {
    const c = cls[i];
    if (c === "[" || c === "(") depth++;
    else if (c === "]" || c === ")") depth--;
    else if (c === ":" && depth === 0) {
      parts.push(cls.slice(start, i));
      start = i + 1;
    }
  }
  let utility = cls.slice(start);
  let important = "";
  if (utility.startsWith("!")) {
    important = "!";
    utility = utility.slice(1);
  } else if (utility.endsWith("!")) {
    important = "!";
    utility = utility.slice(0, -1);
  }
  return { variants: parts.sort().join(":") + important, utility };
}

/** Keeps the last class of each group (per variant), the rest in order. */
export function mergeClasses(classList: string): string {
  const classes = classList.split(/\s+/).filter(Boolean);
  const taken = new Set<string>();
  const kept: string[] = [];
  for (let i = classes.length - 1; i >= 0; i--) {
    const cls = classes[i];
    const { variants, utility } = parse(cls);
    const group = groupOf(utility);
    if (group === null) {
      kept.push(cls);
      continue;
    }
    const key = `${variants}|${group}`;
    if (taken.has(key)) continue;
    taken.add(key);
    for (const g of ALSO[group] ?? []) taken.add(`${variants}|${g}`);
    kept.push(cls);
  }
  return kept.reverse().join(" ");
}
