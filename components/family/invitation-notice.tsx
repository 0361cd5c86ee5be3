"use client";
import Link from "next/link";
import { useCurrentPath } from "@/components/use-current-path";
import { useQuery } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { ChevronRight, Users } from "lucide-react";
import { getMyFamilyInvitations, type InvitationNoticeView } from "@/app/actions/family";

/**
 * A slim banner in the app shell while the user has an open family invitation (not on /family
 * itself). `initial` is what the page was rendered with, so nothing is asked while it hydrates.
 */
export function FamilyInvitationNotice({ initial }: { initial?: InvitationNoticeView[] }) {
  const t = useTranslations("family.invitations");
  const pathname = useCurrentPath();
  const { data } = useQuery({
    queryKey: ["family", "invitations"],
    queryFn: async () => {
      const r = await getMyFamilyInvitations(undefined);
      return r.ok ? r.invitations : [];
    },
    initialData: initial,
    staleTime: 60_000,
  });
  if (!data?.length || pathname.startsWith("/family")) return null;
  const first = data[0]!;
  const text = data.length > 1 ? t("noticeMore", { count: data.length }) : t("notice", { name: first.inviterName ?? first.inviterPhone });
  return (
    <Link
      prefetch={false}
      href="/family"
      className="flex items-center gap-2 border-b border-brand-100 bg-brand-50 px-4 py-2 text-sm text-brand-800 hover:bg-brand-100"
      data-testid="family-invitation-notice"
    >
      <Users className="size-4 shrink-0" />
      <span className="min-w-0 flex-1 truncate">{text}</span>
      <span className="inline-flex shrink-0 items-center font-medium">
        {t("view")}
        <ChevronRight className="size-4" />
      </span>
    </Link>
  );
}
