"use client";
import { useTransition } from "react";
import { useTranslations } from "next-intl";
import { LogOut } from "lucide-react";
import { Button } from "@/components/ui/button";
import { signOutAction } from "@/app/actions/session";

export function SignOutButton() {
  const t = useTranslations("common");
  const [pending, start] = useTransition();
  return (
    <Button variant="secondary" className="w-full text-red-600" disabled={pending} onClick={() => start(() => signOutAction())}>
      <LogOut />
      {t("signOut")}
    </Button>
  );
}
