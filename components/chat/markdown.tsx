"use client";
import { memo, startTransition, useEffect, useRef, useState, type ComponentType } from "react";
import type { Components, Options } from "react-markdown";
import { createBlockSplitter, hasCompleteCode, type BlockSplitter } from "./markdown-blocks";
import { useNear } from "./near";

type PluggableList = NonNullable<Options["rehypePlugins"]>;
type MarkdownLib = { ReactMarkdown: ComponentType<Options>; remarkPlugins: PluggableList };

// The renderer is not part of a page's first load: until it arrives, replies show as plain text.
let lib: MarkdownLib | null = null;
let libPromise: Promise<MarkdownLib> | null = null;
export function preloadMarkdown(): Promise<MarkdownLib> {
  libPromise ??= Promise.all([import("react-markdown"), import("remark-gfm")]).then(([rm, gfm]) => {
    lib = { ReactMarkdown: rm.default, remarkPlugins: [gfm.default] };
    return lib;
  });
  return libPromise;
}

// Syntax highlighting is loaded only once a reply contains a finished code block.
let highlight: PluggableList | null = null;
let highlightPromise: Promise<PluggableList> | null = null;
export function loadHighlight(): Promise<PluggableList> {
  highlightPromise ??= Promise.all([import("rehype-highlight"), import("./highlight-theme")]).then(([m]) => {
    highlight = [[m.default, { detect: true, ignoreMissing: true }]];
    return highlight;
  });
  return highlightPromise;
}

function useLoaded<T>(current: T | null, load: () => Promise<T>, wanted: boolean, gently: boolean): T | null {
  const [value, setValue] = useState<T | null>(current);
  useEffect(() => {
    if (!wanted || value) return;
    let live = true;
    // Finished replies waiting for it are parsed as a transition: React yields between them (a
    // conversation opens with several replies to parse at once). Not the streaming one: its
    // updates every few frames would interrupt and restart that render again and again.
    const set = (v: T) => (gently ? startTransition(() => setValue(v)) : setValue(v));
    void load().then((v) => live && set(v));
    return () => {
      live = false;
    };
  }, [wanted, value, load, gently]);
  return value;
}

const NO_PLUGINS: PluggableList = [];

const components: Components = {
  a: ({ href, children }) => (
    <a href={href} target="_blank" rel="noopener noreferrer nofollow" className="font-medium text-brand-600 underline underline-offset-2">
      {children}
    </a>
  ),
  table: ({ children }) => (
    <div className="my-3 overflow-x-auto rounded-xl ring-1 ring-slate-200">
      <table className="w-full border-collapse text-sm">{children}</table>
    </div>
  ),
  th: ({ children }) => <th className="border-b border-slate-200 bg-slate-50 px-3 py-2 text-left font-semibold">{children}</th>,
  td: ({ children }) => <td className="border-b border-slate-100 px-3 py-2 align-top">{children}</td>,
  pre: ({ children }) => <pre className="my-3 overflow-x-auto rounded-xl bg-slate-900 p-3 text-[13px] leading-relaxed text-slate-100">{children}</pre>,
  code: ({ className, children }) =>
    className ? (
      <code className={className}>{children}</code>
    ) : (
      <code className="rounded-md bg-slate-100 px-1.5 py-0.5 text-[0.9em] text-slate-800">{children}</code>
    ),
};

/** One top-level block, parsed again only when its own text (or the loaded plugins) change. */
const Block = memo(function Block({ text, md, rehype }: { text: string; md: MarkdownLib | null; rehype: PluggableList }) {
  if (!md) return <p className="whitespace-pre-wrap">{text}</p>;
  return (
    <md.ReactMarkdown remarkPlugins={md.remarkPlugins} rehypePlugins={rehype} skipHtml components={components}>
      {text}
    </md.ReactMarkdown>
  );
});

/**
 * A reply as GitHub-flavoured markdown. Raw HTML in the text is never rendered (skipHtml), links
 * open in a new tab without referrer. While `streaming`, finished blocks are parsed once and only
 * the growing tail again; code is highlighted once its block is complete. `deferred`: plain text
 * until the reply nears the view (an older reply of a long conversation), parsed from then on.
 */
export const Markdown = memo(function Markdown({ text, streaming = false, deferred = false }: { text: string; streaming?: boolean; deferred?: boolean }) {
  const box = useRef<HTMLDivElement>(null);
  const near = useNear(box, deferred);
  const splitter = useRef<BlockSplitter | null>(null);
  splitter.current ??= createBlockSplitter();
  // eslint-disable-next-line react-hooks/refs -- the splitter is a cache: same text in, same blocks out
  const { blocks, tail } = near ? splitter.current.update(text) : { blocks: [], tail: "" };
  const md = useLoaded(lib, preloadMarkdown, near, !streaming);
  const wantsHighlight = near && (text.includes("```") || text.includes("~~~"));
  const hl = useLoaded(highlight, loadHighlight, wantsHighlight && (!streaming || blocks.some(hasCompleteCode)), !streaming);
  const rehypeFor = (block: string) => (hl && hasCompleteCode(block) ? hl : NO_PLUGINS);
  return (
    <div
      ref={box}
      className="break-words text-[15px] leading-7 text-slate-800 [&_blockquote]:my-3 [&_blockquote]:border-l-4 [&_blockquote]:border-slate-200 [&_blockquote]:pl-3 [&_blockquote]:text-slate-600 [&_h1]:mt-4 [&_h1]:mb-2 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:mt-4 [&_h2]:mb-2 [&_h2]:text-base [&_h2]:font-semibold [&_h3]:mt-3 [&_h3]:mb-1 [&_h3]:font-semibold [&_hr]:my-4 [&_hr]:border-slate-200 [&_li]:my-1 [&_ol]:my-2 [&_ol]:list-decimal [&_ol]:pl-6 [&_p]:my-2 [&_p:first-child]:mt-0 [&_p:last-child]:mb-0 [&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_strong]:font-semibold [&_strong]:text-slate-900 [&_ul]:my-2 [&_ul]:list-disc [&_ul]:pl-6"
    >
      {near ? null : <p className="whitespace-pre-wrap">{text}</p>}
      {blocks.map((b, i) => (
        <Block key={i} text={b} md={md} rehype={rehypeFor(b)} />
      ))}
      {tail.trim() ? <Block key={blocks.length} text={tail} md={md} rehype={streaming ? NO_PLUGINS : rehypeFor(tail)} /> : null}
    </div>
  );
});
