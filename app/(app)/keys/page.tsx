import { getTranslations } from "next-intl/server";
import { requireUser } from "@/lib/auth/session";
import { EmptyState, PageHeader } from "@/components/ui/card";

export const dynamic = "force-dynamic";

export default async function Page() {
  await requireUser();
  const t = await getTranslations("common.nav");
  return (
    <div className="mx-auto w-full max-w-3xl px-4 py-5">
      <PageHeader title={t("keys")} />
      <EmptyState title={t("keys")} />
    </div>
  );
}
