import { getTranslations } from "next-intl/server";
import { getDb } from "@/lib/server/db";
import { catalogOptions } from "@/lib/server/wiring";
import { getCatalog } from "@/lib/catalog";
import { getFamilyRoutes } from "@/lib/routing";
import { Card, CardTitle } from "@/components/ui/card";
import { FamilyRoutesForm } from "@/components/family/family-routes";

/** The owner's provider routes for the family (lib/routing/family.ts); nothing for anyone else. */
export async function FamilyRoutesSection({ ownerUserId }: { ownerUserId: string }) {
  const r = await getFamilyRoutes(await getDb(), { ownerUserId });
  if (!r.ok) return null;
  const t = await getTranslations("familyRoutes");
  const providers = getCatalog(catalogOptions())
    .providers.map((p) => p.id)
    .sort();
  return (
    <Card data-testid="family-routes">
      <CardTitle>{t("title")}</CardTitle>
      <p className="mt-0.5 text-xs text-slate-500">{t("hint")}</p>
      <FamilyRoutesForm initial={{ only: r.routes.only, ignore: r.routes.ignore, sort: r.routes.sort }} providers={providers} />
    </Card>
  );
}
