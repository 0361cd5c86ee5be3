import { CalendarDays, Code2, FileText, GraduationCap, Languages, NotebookPen, PenLine, Sparkles, Target, type LucideIcon } from "lucide-react";
import { cn } from "@/lib/cn";

/** The built-in assistants' icons by name (lib/chat/assistant-gallery.ts); one's own show their emoji. */
const ICONS: Partial<Record<string, LucideIcon>> = {
  "pen-line": PenLine,
  languages: Languages,
  code: Code2,
  "graduation-cap": GraduationCap,
  "file-text": FileText,
  "notebook-pen": NotebookPen,
  "calendar-days": CalendarDays,
  target: Target,
  sparkles: Sparkles,
};

const TINTS: Record<string, string> = {
  "pen-line": "bg-amber-50 text-amber-600 ring-amber-100",
  languages: "bg-sky-50 text-sky-600 ring-sky-100",
  code: "bg-slate-900 text-emerald-300 ring-slate-900",
  "graduation-cap": "bg-violet-50 text-violet-600 ring-violet-100",
  "file-text": "bg-red-50 text-red-700 ring-red-100",
  "notebook-pen": "bg-rose-50 text-rose-500 ring-rose-100",
  "calendar-days": "bg-emerald-50 text-emerald-600 ring-emerald-100",
  target: "bg-orange-50 text-orange-600 ring-orange-100",
};

export function AssistantIcon({ icon, className }: { icon: string; className?: string }) {
  const Icon = ICONS[icon];
  return (
    <div
      className={cn(
        "flex shrink-0 items-center justify-center rounded-xl ring-1",
        Icon ? (TINTS[icon] ?? "bg-brand-50 text-brand-600 ring-brand-100") : "bg-slate-50 ring-slate-200/70",
        className,
      )}
      aria-hidden
    >
      {Icon ? <Icon className="size-[55%]" strokeWidth={1.75} /> : <span className="text-[1.4em] leading-none">{icon}</span>}
    </div>
  );
}
