"use client";
import * as React from "react";
import * as DialogPrimitive from "@radix-ui/react-dialog";
import { X } from "lucide-react";
import { useTranslations } from "next-intl";
import { cn } from "@/lib/cn";

export type DialogSheetProps = React.ComponentProps<typeof DialogPrimitive.Content> & {
  open: boolean;
  onOpenChange: (open: boolean) => void;
  title: React.ReactNode;
  description?: React.ReactNode;
  /** The element that had focus when the dialog opened: it gets it back when the dialog closes. */
  returnFocus: React.RefObject<HTMLElement | null>;
};

/**
 * The dialog itself (Radix: focus trap, Escape, outside tap, scroll lock, the rest of the page
 * hidden from screen readers), loaded by `./dialog` when a dialog first opens. A centred dialog on
 * desktop that becomes a bottom sheet on phones.
 */
export default function DialogSheet({
  open,
  onOpenChange,
  className,
  children,
  title,
  description,
  returnFocus,
  onCloseAutoFocus,
  ...props
}: DialogSheetProps) {
  const t = useTranslations("common");
  return (
    <DialogPrimitive.Root open={open} onOpenChange={onOpenChange}>
      <DialogPrimitive.Portal>
        <DialogPrimitive.Overlay className="fixed inset-0 z-50 bg-slate-900/40 backdrop-blur-[1px]" />
        <DialogPrimitive.Content
          className={cn(
            "fixed inset-x-0 bottom-0 z-50 max-h-[90dvh] overflow-y-auto rounded-t-2xl bg-white p-5 pb-[calc(1.25rem+var(--safe-bottom))] shadow-xl focus:outline-none sm:inset-auto sm:left-1/2 sm:top-1/2 sm:w-full sm:max-w-md sm:-translate-x-1/2 sm:-translate-y-1/2 sm:rounded-2xl sm:pb-5",
            className,
          )}
          onCloseAutoFocus={(e) => {
            onCloseAutoFocus?.(e);
            if (e.defaultPrevented) return;
            // The opener is not Radix's own trigger, so Radix would not know where focus goes back to.
            e.preventDefault();
            const el = returnFocus.current;
            if (el?.isConnected) el.focus();
          }}
          {...props}
        >
          <div className="mb-3 flex items-start justify-between gap-4">
            <div>
              <DialogPrimitive.Title className="text-lg font-semibold text-slate-900">{title}</DialogPrimitive.Title>
              {description ? (
                <DialogPrimitive.Description className="mt-1 text-sm text-slate-500">{description}</DialogPrimitive.Description>
              ) : (
                <DialogPrimitive.Description className="sr-only">{title}</DialogPrimitive.Description>
              )}
            </div>
            <DialogPrimitive.Close className="rounded-lg p-1 text-slate-400 hover:bg-slate-100 hover:text-slate-600" aria-label={t("close")}>
              <X className="size-5" />
            </DialogPrimitive.Close>
          </div>
          {children}
        </DialogPrimitive.Content>
      </DialogPrimitive.Portal>
    </DialogPrimitive.Root>
  );
}
