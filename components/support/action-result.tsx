"use client";
import * as React from "react";
import { useTranslations } from "next-intl";
import { CheckCircle2 } from "lucide-react";
import { Dialog, DialogContent, DialogClose } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { Alert } from "@/components/ui/card";

type Shown = { title: string; body: React.ReactNode; testId?: string };
const ResultContext = React.createContext<((shown: Shown) => void) | null>(null);

/**
 * Where a staff action's outcome is shown. An action in a list row (a refund, a released hold)
 * changes that row when the page refreshes: the row's button, and with it the row's own dialog,
 * can be gone before the outcome was read. The outcome lives here instead, above the page.
 */
export function ActionResultHost({ children }: { children: React.ReactNode }) {
  const tc = useTranslations("common");
  // Closing keeps the last outcome rendered (its dialog animates out), so it is state of its own.
  const [view, setView] = React.useState<Shown | null>(null);
  const [open, setOpen] = React.useState(false);
  const show = React.useCallback((shown: Shown) => {
    setView(shown);
    setOpen(true);
  }, []);
  return (
    <ResultContext value={show}>
      {children}
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={view?.title ?? ""} data-testid={view?.testId}>
          <div className="space-y-4">
            <Alert tone="success" className="flex items-start gap-2">
              <CheckCircle2 className="mt-0.5 size-4 shrink-0" />
              <span>{view?.body}</span>
            </Alert>
            <DialogClose asChild>
              <Button variant="secondary" className="w-full">
                {tc("close")}
              </Button>
            </DialogClose>
          </div>
        </DialogContent>
      </Dialog>
    </ResultContext>
  );
}

/** Shows an outcome above the page; the support console's layout holds the host. */
export function useActionResult() {
  const show = React.useContext(ResultContext);
  if (!show) throw new Error("useActionResult must be inside <ActionResultHost>");
  return show;
}
