import { useTranslations } from "next-intl";
import { Badge } from "@/components/ui/card";
import type { Availability } from "@/lib/catalog";

/** 演示 / Demo when the model answers from the demo upstream; nothing when it is live. */
export function AvailabilityBadge({ availability, showLive = false }: { availability: Availability; showLive?: boolean }) {
  const t = useTranslations("models");
  if (availability === "demo")
    return (
      <Badge tone="amber" title={t("demoHint")} data-testid="badge-demo">
        {t("demo")}
      </Badge>
    );
  if (availability === "unavailable") return <Badge tone="slate">{t("unavailable")}</Badge>;
  return showLive ? <Badge tone="green">{t("live")}</Badge> : null;
}
