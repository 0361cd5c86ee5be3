"use client";
import { memo, useEffect, useState } from "react";
import ReactMarkdown, { type Components, type Options } from "react-markdown";
import remarkGfm from "remark-gfm";
type PluggableList = NonNullable<Options["rehypePlugins"]>;

// Syntax highlighting is loaded only once a reply contains a code block.
let highlightPlugins: Promise<PluggableList> | null = null;
function loadHighlight(): Promise<PluggableList> {
  highlightPlugins ??= Promise.all([import("rehype-highlight"), import("./highlight-theme")]).then(
    ([m]) => [[m.default, { detect: true, ignoreMissing: true }]] as PluggableList,
  );
  return highlightPlugins;
}

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

/**
 * A reply as GitHub-flavoured markdown. Raw HTML in the text is never rendered (skipHtml), links
 * open in a new tab without referrer.
 */
export const Markdown = memo(function Markdown({ text }: { text: string }) {
  const hasCode = text.includes("```");
  const [rehype, setRehype] = useState<PluggableList>([]);
  useEffect(() => {
    if (!hasCode || rehype.length > 0) return;
    let live = true;
    loadHighlight().then((p) => live && setRehype(p));
    return () => {
      live = false;
    };
  }, [hasCode, rehype.length]);
  return (
    <div className="break-words text-[15px] leading-7 text-slate-800 [&_blockquote]:my-3 [&_blockquote]:border-l-4 [&_blockquote]:border-slate-200 [&_blockquote]:pl-3 [&_blockquote]:text-slate-600 [&_h1]:mt-4 [&_h1]:mb-2 [&_h1]:text-lg [&_h1]:font-semibold [&_h2]:mt-4 [&_h2]:mb-2 [&_h2]:text-base [&_h2]:font-semibold [&_h3]:mt-3 [&_h3]:mb-1 [&_h3]:font-semibold [&_hr]:my-4 [&_hr]:border-slate-200 [&_li]:my-1 [&_ol]:my-2 [&_ol]:list-decimal [&_ol]:pl-6 [&_p]:my-2 [&_p:first-child]:mt-0 [&_p:last-child]:mb-0 [&_pre_code]:bg-transparent [&_pre_code]:p-0 [&_strong]:font-semibold [&_strong]:text-slate-900 [&_ul]:my-2 [&_ul]:list-disc [&_ul]:pl-6">
      <ReactMarkdown remarkPlugins={[remarkGfm]} rehypePlugins={rehype} skipHtml components={components}>
        {text}
      </ReactMarkdown>
    </div>
  );
});
