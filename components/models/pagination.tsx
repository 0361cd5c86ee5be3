import Link from "next/link";
import { useTranslations } from "next-intl";
import { ChevronLeft, ChevronRight } from "lucide-react";
import { serializeModelQuery, type ModelQuery } from "@/lib/catalog";
import { buttonVariants } from "@/components/ui/button";
import { cn } from "@/lib/cn";

/** Pages of the catalog. Links are fetched on tap, not prefetched: /models is a dynamic route. */
export function Pagination({ query, page, pages }: { query: ModelQuery; page: number; pages: number }) {
  const t = useTranslations("models");
  const ta = useTranslations("common.a11y");
  if (pages <= 1) return null;
  const href = (p: number) => `/models${serializeModelQuery({ ...query, page: p })}`;
  const cls = buttonVariants({ variant: "secondary", size: "md" });
  return (
    <nav className="mt-4 flex items-center justify-between gap-2" aria-label={ta("pagination")}>
      {page > 1 ? (
        <Link href={href(page - 1)} prefetch={false} className={cls} rel="prev" data-testid="page-prev">
          <ChevronLeft />
          {t("prev")}
        </Link>
      ) : (
        <span className={cn(cls, "pointer-events-none bg-slate-50 text-slate-500 shadow-none")} aria-hidden>
          <ChevronLeft />
          {t("prev")}
        </span>
      )}
      <span className="tabular text-sm text-slate-600" data-testid="page-indicator">
        {t("page", { page, pages })}
      </span>
      {page < pages ? (
        <Link href={href(page + 1)} prefetch={false} className={cls} rel="next" data-testid="page-next">
          {t("next")}
          <ChevronRight />
        </Link>
      ) : (
        <span className={cn(cls, "pointer-events-none bg-slate-50 text-slate-500 shadow-none")} aria-hidden>
          {t("next")}
          <ChevronRight />
        </span>
      )}
    </nav>
  );
}
