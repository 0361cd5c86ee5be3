"use client";
import dynamic from "next/dynamic";
import { useTranslations } from "next-intl";
import { Pencil, Shuffle } from "lucide-react";
import { ModelPicker } from "./model-picker";
import type { ModelView } from "./types";

// The version switch and the edit box load when a conversation has branches or an edit starts:
// most first paints of the chat have neither.
const load = () => import("./branch-parts");
const Switch = dynamic(() => load().then((m) => m.SiblingSwitch));
export const EditBox = dynamic(() => load().then((m) => m.EditBox), { ssr: false });

type SwitchProps = { id: string; index: number; count: number; onSwitch: (id: string, step: -1 | 1) => void; className?: string };

/** "‹ 2/3 ›" under a message with siblings (edits of a question, replies regenerated); nothing without siblings. */
export function SiblingSwitch(props: SwitchProps) {
  return props.count < 2 ? null : <Switch {...props} />;
}

/** The edit button under a question of one's own. */
export function EditButton({ onClick }: { onClick: () => void }) {
  const t = useTranslations("chatBranch");
  return (
    <button
      type="button"
      onClick={onClick}
      onPointerEnter={() => void load()}
      onFocus={() => void load()}
      aria-label={t("edit")}
      title={t("edit")}
      data-testid="edit-button"
      className="rounded-lg p-1.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
    >
      <Pencil className="size-4" />
    </button>
  );
}

/** "换个模型重新生成": the model sheet, whose choice answers the same question again as a sibling reply. */
export function RegenerateWithModel({ current, onPick }: { current: Pick<ModelView, "id" | "name" | "route">; onPick: (m: ModelView) => void }) {
  const t = useTranslations("chatBranch");
  return (
    <ModelPicker
      value={current}
      onChange={onPick}
      trigger={
        <button
          type="button"
          aria-label={t("regenerateWith")}
          title={t("regenerateWith")}
          data-testid="regenerate-with-button"
          className="rounded-lg p-1.5 text-slate-400 hover:bg-slate-100 hover:text-slate-700"
        >
          <Shuffle className="size-4" />
        </button>
      }
    />
  );
}
