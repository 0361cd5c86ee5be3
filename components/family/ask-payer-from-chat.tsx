"use client";
import { AskPayerButton, FAMILY_REFUSALS, type FamilyRefusal } from "./member-rules";

const isFamilyRefusal = (code: string): code is FamilyRefusal => (FAMILY_REFUSALS as readonly string[]).includes(code);

/** Under a chat refusal by a family rule: the member asks the payer to let today through. */
export function AskPayerFromChat({ code }: { code: string }) {
  if (!isFamilyRefusal(code)) return null;
  return (
    <div className="mt-2" data-testid="chat-ask-payer">
      <AskPayerButton reason={code} size="sm" />
    </div>
  );
}
