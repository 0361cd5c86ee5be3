"use client";
import { useTranslations } from "next-intl";
import { useDelegatedLinks } from "@/components/use-delegated-links";
import { ModelCard, type ModelCardData, type ModelCardLabels } from "./model-card";
import { capabilityLabels } from "./capability-icons";

/** A page of model cards: translated once, one click listener for all their links. */
export function ModelList({ cards }: { cards: ModelCardData[] }) {
  const t = useTranslations("models");
  const links = useDelegatedLinks();
  const labels: ModelCardLabels = {
    recommended: t("recommended"),
    per1kIn: t("per1kIn"),
    per1kOut: t("per1kOut"),
    context: t("context"),
    availability: { demo: t("demo"), demoHint: t("demoHint"), unavailable: t("unavailable") },
    capabilities: capabilityLabels(t),
  };
  return (
    <ul ref={links} className="mt-3 grid grid-cols-1 gap-3 md:grid-cols-2 xl:grid-cols-3" data-testid="model-list">
      {cards.map((card) => (
        // A card below the fold is neither styled nor laid out until it nears the screen: its
        // height is fixed, so the page's length is right from the start. The padding keeps the
        // card's ring and shadow inside the paint clip that comes with it.
        <li key={card.id} className="-m-1 p-1 [contain-intrinsic-size:auto_9rem] [content-visibility:auto]">
          <ModelCard card={card} labels={labels} />
        </li>
      ))}
    </ul>
  );
}
