"use client";
import { Component, startTransition, useEffect, useState, type ReactNode, type RefObject } from "react";

/**
 * How many of a conversation's newest messages it opens with (rendered on the server and
 * hydrated): a few screens' worth. Rendering and hydrating every row of a long conversation at once
 * is one long task on a slow phone.
 */
export const FIRST_ROWS = 24;
/** Older messages added above per idle moment: few enough that rendering and inserting them is never a long task. */
export const OLDER_ROWS_PER_STEP = 8;

function whenIdle(run: () => void): () => void {
  if (typeof requestIdleCallback === "function") {
    const id = requestIdleCallback(run, { timeout: 1000 });
    return () => cancelIdleCallback(id);
  }
  const id = setTimeout(run, 50);
  return () => clearTimeout(id);
}

/**
 * The index of the first message on screen: the conversation opens with its newest FIRST_ROWS
 * messages, then the older ones are added above, OLDER_ROWS_PER_STEP at a time, each step in an idle
 * moment and rendered as a transition (React yields to input and frames while it renders them),
 * until every message is there (so the browser's find-in-page sees the whole conversation).
 */
export function useFirstMounted(count: number): number {
  const [from, setFrom] = useState(() => Math.max(0, count - FIRST_ROWS));
  useEffect(() => {
    if (from === 0) return;
    return whenIdle(() => startTransition(() => setFrom((f) => Math.max(0, f - OLDER_ROWS_PER_STEP))));
  }, [from]);
  return from;
}

type KeepProps = {
  /** The index of the first message on screen: when it goes down, rows were added above. */
  from: number;
  scroller: RefObject<HTMLElement | null>;
  /** True while the list follows its end. */
  pinned: RefObject<boolean>;
  children: ReactNode;
};

/**
 * Keeps what the reader looks at in place when older rows are added above it: the distance from
 * the list's end is read before the rows go in and restored after (a class component: the only
 * place React offers to read the page before its changes). A list that follows its end stays there.
 */
export class KeepScrollOnPrepend extends Component<KeepProps> {
  override getSnapshotBeforeUpdate(prev: KeepProps): number | null {
    const el = this.props.scroller.current;
    if (!el || prev.from <= this.props.from || this.props.pinned.current) return null;
    return el.scrollHeight - el.scrollTop;
  }

  override componentDidUpdate(prev: KeepProps, _state: unknown, fromEnd: number | null) {
    const el = this.props.scroller.current;
    if (!el || prev.from <= this.props.from) return;
    if (this.props.pinned.current) el.scrollTop = el.scrollHeight;
    else if (fromEnd !== null) el.scrollTop = el.scrollHeight - fromEnd;
  }

  override render() {
    return this.props.children;
  }
}
