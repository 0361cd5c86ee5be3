"use client";
import { createContext, startTransition, useContext, useEffect, useState, type RefObject } from "react";

/**
 * Tells elements when they come near a scroller's view, with one IntersectionObserver for all of
 * them. Elements may be watched before the scroller is attached (a child's effect runs before its
 * parent's); each is told once.
 */
export type NearWatch = {
  watch: (el: Element, near: () => void) => () => void;
  attach: (root: Element) => () => void;
};

/** `margin`: how far beyond the view counts as near (ahead of the rows `content-visibility` renders). */
export function createNearWatch(margin = "1500px 0px"): NearWatch {
  const waiting = new Map<Element, () => void>();
  let io: IntersectionObserver | null = null;
  return {
    watch(el, near) {
      waiting.set(el, near);
      io?.observe(el);
      return () => {
        waiting.delete(el);
        io?.unobserve(el);
      };
    },
    attach(root) {
      const observer = new IntersectionObserver(
        (entries) => {
          for (const e of entries) {
            if (!e.isIntersecting) continue;
            const near = waiting.get(e.target);
            waiting.delete(e.target);
            observer.unobserve(e.target);
            near?.();
          }
        },
        { root, rootMargin: margin },
      );
      io = observer;
      for (const el of waiting.keys()) observer.observe(el);
      return () => {
        observer.disconnect();
        if (io === observer) io = null;
      };
    },
  };
}

/** The conversation's watch; without one (a shared page, side by side) nothing waits. */
export const NearContext = createContext<NearWatch | null>(null);

/** With `defer`, false until `ref`'s element nears the view, then true for good; otherwise true. */
export function useNear(ref: RefObject<Element | null>, defer: boolean): boolean {
  const watch = useContext(NearContext);
  const [near, setNear] = useState(!defer || !watch);
  useEffect(() => {
    const el = ref.current;
    if (near || !watch || !el) return;
    // Several replies come near at once when the reader scrolls: parsing them is a transition,
    // so React yields to frames and input between them instead of one long task.
    return watch.watch(el, () => startTransition(() => setNear(true)));
  }, [near, watch, ref]);
  return near;
}
