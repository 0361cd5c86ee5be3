import { getTranslations } from "next-intl/server";

/** Shown on every page of a public demo (DEMO_MODE with DEMO_PUBLIC): nothing typed here is private. */
export async function DemoBanner() {
  const t = await getTranslations("demoBanner");
  return (
    <div data-testid="demo-banner" className="bg-amber-100 px-4 py-1.5 text-center text-xs text-amber-900">
      <strong className="font-semibold">{t("title")}</strong> {t("body")}
    </div>
  );
}
