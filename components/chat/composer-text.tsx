"use client";
import { useCallback, useDeferredValue, useEffect, useImperativeHandle, useLayoutEffect, useMemo, useRef, useState, type ReactNode, type Ref } from "react";

/** The composer's text, read and set by the chat screen without it rendering on each keystroke. */
export type ComposerHandle = {
  value(): string;
  set(text: string): void;
  /** True while the text field has the focus. */
  focused(): boolean;
};

type Props = {
  handle: Ref<ComposerHandle>;
  placeholder: string;
  /** Told when the text goes from blank to written and back (the send button), not per keystroke. */
  onFilled: (filled: boolean) => void;
  onSubmit: () => void;
  onFocus: () => void;
  onBlur: () => void;
  /** The quote line under the text, for the text as typed (followed at low priority: a keystroke paints first). */
  quote: (text: string) => ReactNode;
};

/**
 * The composer's text field and the quote under it. It owns the text, so a keystroke renders this
 * and nothing else of the chat screen (which may be streaming a reply meanwhile).
 */
export function ComposerText({ handle, placeholder, onFilled, onSubmit, onFocus, onBlur, quote }: Props) {
  const [text, setText] = useState("");
  const textarea = useRef<HTMLTextAreaElement>(null);
  // The text as typed, for the screen to read at send time; only `change` writes it.
  const current = useRef("");
  const filled = useRef(false);
  const told = useRef(onFilled);
  useLayoutEffect(() => {
    told.current = onFilled;
  });
  const change = useCallback((next: string) => {
    setText(next);
    current.current = next;
    const now = next.trim() !== "";
    if (now !== filled.current) {
      filled.current = now;
      told.current(now);
    }
  }, []);
  useImperativeHandle(
    handle,
    () => ({ value: () => current.current, set: change, focused: () => !!textarea.current && document.activeElement === textarea.current }),
    [change],
  );

  const shown = useDeferredValue(text);
  // The same element while the deferred text has not moved: the quote does not render on the keystroke itself.
  const line = useMemo(() => quote(shown), [quote, shown]);

  // Browsers without `field-sizing: content` grow the composer by measuring it.
  useEffect(() => {
    const el = textarea.current;
    if (!el || CSS.supports("field-sizing", "content")) return;
    el.style.height = "auto";
    el.style.height = `${Math.min(el.scrollHeight, 176)}px`;
  }, [text]);

  return (
    <>
      <textarea
        ref={textarea}
        value={text}
        onChange={(e) => change(e.target.value)}
        onFocus={onFocus}
        onBlur={onBlur}
        onKeyDown={(e) => {
          if (e.key === "Enter" && !e.shiftKey && !e.nativeEvent.isComposing && !window.matchMedia("(pointer: coarse)").matches) {
            e.preventDefault();
            onSubmit();
          }
        }}
        rows={1}
        maxLength={20000}
        placeholder={placeholder}
        aria-label={placeholder}
        data-testid="composer-input"
        className="block max-h-44 w-full resize-none bg-transparent px-3 py-2 [field-sizing:content] text-base leading-6 text-slate-900 placeholder:text-slate-400 focus:outline-none"
      />
      {line}
    </>
  );
}
