import { Badge } from "@/components/ui/card";
import type { Availability } from "@/lib/catalog";

/** The words the badge shows, translated by its caller (once for a whole list). */
export type AvailabilityLabels = { demo: string; demoHint: string; unavailable: string; live?: string };

/** 演示 / Demo when the model answers from the demo upstream; 已上线 / Live only when `labels.live` is given. */
export function AvailabilityBadge({ availability, labels, className }: { availability: Availability; labels: AvailabilityLabels; className?: string }) {
  if (availability === "demo")
    return (
      <Badge tone="amber" title={labels.demoHint} data-testid="badge-demo" className={className}>
        {labels.demo}
      </Badge>
    );
  if (availability === "unavailable")
    return (
      <Badge tone="slate" className={className}>
        {labels.unavailable}
      </Badge>
    );
  return labels.live ? (
    <Badge tone="green" className={className}>
      {labels.live}
    </Badge>
  ) : null;
}
