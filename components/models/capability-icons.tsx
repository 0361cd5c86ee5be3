import { Brain, Eye, Wrench } from "lucide-react";
import type { ModelCapabilities } from "@/lib/catalog";

/** The capabilities' names, translated by the caller (once for a whole list). */
export type CapabilityLabels = { reasoning: string; tools: string; vision: string };

/** The labels from the `models` messages (a `useTranslations("models")` or `getTranslations("models")`). */
export function capabilityLabels(t: (key: "cap.reasoning" | "cap.tools" | "cap.vision") => string): CapabilityLabels {
  return { reasoning: t("cap.reasoning"), tools: t("cap.tools"), vision: t("cap.vision") };
}

/** An icon for each of reasoning, tools and image input the model has; nothing when it has none. */
export function CapabilityIcons({
  capabilities,
  labels,
  withLabels = false,
}: {
  capabilities: Pick<ModelCapabilities, "reasoning" | "tools" | "imageInput">;
  labels: CapabilityLabels;
  withLabels?: boolean;
}) {
  const items = [
    capabilities.reasoning && { key: "reasoning", Icon: Brain },
    capabilities.tools && { key: "tools", Icon: Wrench },
    capabilities.imageInput && { key: "vision", Icon: Eye },
  ].filter(Boolean) as { key: keyof CapabilityLabels; Icon: typeof Brain }[];
  if (items.length === 0) return null;
  return (
    <span className="inline-flex items-center gap-1.5 text-slate-500">
      {items.map(({ key, Icon }) => (
        <span key={key} className="inline-flex items-center gap-1" title={labels[key]} data-capability={key}>
          <Icon className="size-3.5" aria-label={labels[key]} />
          {withLabels ? <span className="text-xs text-slate-600">{labels[key]}</span> : null}
        </span>
      ))}
    </span>
  );
}
