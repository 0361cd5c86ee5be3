"use client";
import { useState, type ReactNode } from "react";
import dynamic from "next/dynamic";
import { useTranslations } from "next-intl";
import { ChevronRight } from "lucide-react";

// The receipt (its sheet, the dispute form) loads when a cost line is first tapped.
const load = () => import("./receipt-sheet");
const ReceiptDialog = dynamic(() => load().then((m) => m.ReceiptDialog), { ssr: false });

/**
 * A reply's cost line; tapping it opens the receipt. Lives in its own component so the message
 * row stays as it is until the user asks.
 */
export function ReplyCost({ messageId, children }: { messageId: string | null; children: ReactNode }) {
  const t = useTranslations("spend.receipt");
  const [open, setOpen] = useState(false);
  if (!messageId) return <>{children}</>;
  return (
    <>
      <button
        type="button"
        onClick={() => setOpen(true)}
        onPointerEnter={() => void load()}
        className="-mx-1 inline-flex items-center gap-0.5 rounded-md px-1 py-0.5 hover:bg-slate-100 hover:text-slate-600"
        aria-haspopup="dialog"
        title={t("open")}
      >
        {children}
        <ChevronRight className="size-3" aria-hidden />
      </button>
      {open ? <ReceiptDialog messageId={messageId} open={open} onOpenChange={setOpen} /> : null}
    </>
  );
}
