"use client";
import { Markdown } from "./markdown";

/** A reply on a shared page: the chat's own Markdown and code rendering, without cost or actions. */
export function SharedReply({ text, modelName }: { text: string; modelName: string }) {
  return (
    <div className="flex gap-3" data-testid="shared-assistant">
      <div
        className="mt-0.5 flex size-8 shrink-0 items-center justify-center rounded-full bg-gradient-to-br from-brand-500 to-brand-700 text-xs font-semibold text-white shadow-sm"
        aria-hidden
      >
        {modelName.slice(0, 1).toUpperCase()}
      </div>
      <div className="min-w-0 flex-1">
        <div className="mb-1 text-xs font-medium text-slate-500">{modelName}</div>
        <Markdown text={text} />
      </div>
    </div>
  );
}
