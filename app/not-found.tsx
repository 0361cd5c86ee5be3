import Link from "next/link";
import { getTranslations } from "next-intl/server";
import { Button } from "@/components/ui/button";

export default async function NotFound() {
  const t = await getTranslations("common");
  return (
    <main className="mx-auto flex min-h-[70dvh] max-w-md flex-col items-center justify-center gap-3 px-6 text-center">
      <p className="text-5xl font-bold text-brand-600">404</p>
      <h1 className="text-lg font-semibold">{t("notFound")}</h1>
      <p className="text-sm text-slate-500">{t("notFoundHint")}</p>
      <Button asChild className="mt-2">
        <Link prefetch={false} href="/">
          {t("goHome")}
        </Link>
      </Button>
    </main>
  );
}
