import { useTranslations } from "next-intl";
import { Brain, Eye, Wrench } from "lucide-react";
import type { ModelCapabilities } from "@/lib/catalog";

export function CapabilityIcons({
  capabilities,
  withLabels = false,
}: {
  capabilities: Pick<ModelCapabilities, "reasoning" | "tools" | "imageInput">;
  withLabels?: boolean;
}) {
  const t = useTranslations("models.cap");
  const items = [
    capabilities.reasoning && { key: "reasoning", Icon: Brain },
    capabilities.tools && { key: "tools", Icon: Wrench },
    capabilities.imageInput && { key: "vision", Icon: Eye },
  ].filter(Boolean) as { key: "reasoning" | "tools" | "vision"; Icon: typeof Brain }[];
  if (items.length === 0) return null;
  return (
    <span className="inline-flex items-center gap-1.5 text-slate-500">
      {items.map(({ key, Icon }) => (
        <span key={key} className="inline-flex items-center gap-1" title={t(key)} data-capability={key}>
          <Icon className="size-3.5" aria-label={t(key)} />
          {withLabels ? <span className="text-xs text-slate-600">{t(key)}</span> : null}
        </span>
      ))}
    </span>
  );
}
