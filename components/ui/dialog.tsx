"use client";
import * as React from "react";
import dynamic from "next/dynamic";
import type { DialogSheetProps } from "./dialog-sheet";

// The dialog's machinery (Radix, ~13 KB gzip) is not part of any page's first load: it loads when
// a dialog first opens, or as soon as a pointer or focus reaches one of its triggers.
const load = () => import("./dialog-sheet");
const Sheet = dynamic(load, { ssr: false });
/** Loads the dialog's code ahead of a first open (a trigger that is not a `DialogTrigger`). */
export const preloadDialog = () => void load();

type Ctx = { open: boolean; setOpen: (open: boolean) => void; returnFocusRef: React.RefObject<HTMLElement | null> };
const DialogContext = React.createContext<Ctx | null>(null);
function useDialog(part: string): Ctx {
  const c = React.useContext(DialogContext);
  if (!c) throw new Error(`${part} must be inside <Dialog>`);
  return c;
}

/** A controlled dialog: `open` and `onOpenChange` (Escape, an outside tap and the close button call it with false). */
export function Dialog({ open, onOpenChange, children }: { open: boolean; onOpenChange: (open: boolean) => void; children?: React.ReactNode }) {
  const returnFocusRef = React.useRef<HTMLElement | null>(null);
  // Remember where focus was when the dialog opens, before the dialog takes it (its focus moves in a passive effect).
  React.useLayoutEffect(() => {
    const active = document.activeElement;
    if (open && active instanceof HTMLElement && active !== document.body) returnFocusRef.current = active;
  }, [open]);
  const ctx = React.useMemo(() => ({ open, setOpen: onOpenChange, returnFocusRef }), [open, onOpenChange]);
  return <DialogContext value={ctx}>{children}</DialogContext>;
}

type Slot = React.ReactElement<React.HTMLAttributes<HTMLElement>>;

const LAZY = Symbol.for("react.lazy");
type Lazy = { $$typeof: symbol; _payload: PromiseLike<unknown> };
const isLazy = (v: unknown): v is Lazy =>
  typeof v === "object" && v !== null && (v as Lazy).$$typeof === LAZY && typeof (v as Lazy)._payload?.then === "function";

/**
 * A trigger's one child. A button a server component passes in may arrive as a lazy reference to
 * its part of the page's payload (React outlines an element it meets more than once): it is
 * unwrapped with `use`, as Radix's Slot does, before it can be cloned.
 */
function useOnlyChild(children: React.ReactNode): Slot {
  let child: unknown = children;
  while (isLazy(child)) child = React.use(child._payload);
  return React.Children.only(child as React.ReactElement) as Slot;
}

/** Opens the dialog; its one child is the button (as Radix's `asChild`). */
export function DialogTrigger({ children }: { asChild?: true; children: React.ReactNode }) {
  const { open, setOpen, returnFocusRef } = useDialog("DialogTrigger");
  const child = useOnlyChild(children);
  const p = child.props;
  return React.cloneElement(child, {
    "aria-haspopup": "dialog",
    "aria-expanded": open,
    onPointerEnter: (e: React.PointerEvent<HTMLElement>) => {
      p.onPointerEnter?.(e);
      preloadDialog();
    },
    onFocus: (e: React.FocusEvent<HTMLElement>) => {
      p.onFocus?.(e);
      preloadDialog();
    },
    onClick: (e: React.MouseEvent<HTMLElement>) => {
      p.onClick?.(e);
      if (e.defaultPrevented) return;
      returnFocusRef.current = e.currentTarget;
      setOpen(!open);
    },
  });
}

/** Closes the dialog; its one child is the button (as Radix's `asChild`). */
export function DialogClose({ children }: { asChild?: true; children: React.ReactNode }) {
  const { setOpen } = useDialog("DialogClose");
  const child = useOnlyChild(children);
  return React.cloneElement(child, {
    onClick: (e: React.MouseEvent<HTMLElement>) => {
      child.props.onClick?.(e);
      if (!e.defaultPrevented) setOpen(false);
    },
  });
}

/** A centred dialog on desktop that becomes a bottom sheet on phones; nothing is rendered until it first opens. */
export function DialogContent(props: Omit<DialogSheetProps, "open" | "onOpenChange" | "returnFocus">) {
  const { open, setOpen, returnFocusRef } = useDialog("DialogContent");
  const [mounted, setMounted] = React.useState(open);
  if (open && !mounted) setMounted(true);
  // Once opened it stays mounted, so closing runs through the dialog (focus back, scroll unlocked).
  return mounted ? <Sheet open={open} onOpenChange={setOpen} returnFocus={returnFocusRef} {...props} /> : null;
}
