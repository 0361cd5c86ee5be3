"use client";
import { useState, useTransition } from "react";
import { useRouter } from "next/navigation";
import { useTranslations } from "next-intl";
import { Pencil } from "lucide-react";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label } from "@/components/ui/input";
import { setMyNickname } from "@/app/actions/profile";
import { maskPhone } from "@/lib/core/format";
import { useFailureText } from "@/components/use-failure-text";

const OWN_ISSUES = ["nickname_empty", "nickname_too_long", "nickname_invalid"];

/** The 我的 header: avatar, nickname and phone, with a sheet to set the nickname. */
export function ProfileCard({ name, phone }: { name: string | null; phone: string }) {
  const t = useTranslations("settings");
  const errorText = useFailureText("settings");
  const router = useRouter();
  const [open, setOpen] = useState(false);
  const [value, setValue] = useState(name ?? "");
  const [error, setError] = useState<string | null>(null);
  const [pending, start] = useTransition();
  const initial = (name ? Array.from(name)[0] : undefined) ?? phone.slice(-1);

  function save(e: React.FormEvent) {
    e.preventDefault();
    setError(null);
    start(async () => {
      const r = await setMyNickname({ nickname: value });
      if (r.ok) {
        setOpen(false);
        router.refresh();
        return;
      }
      const issue = (r.details?.issues as { message?: string }[] | undefined)?.[0]?.message;
      setError(issue && OWN_ISSUES.includes(issue) ? t(`errors.${issue}`) : errorText(r));
    });
  }

  return (
    <div className="flex items-center gap-4 rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200/70 sm:p-5">
      <div
        className="flex size-12 shrink-0 items-center justify-center rounded-full bg-slate-900 text-lg font-medium text-white"
        aria-hidden
        data-testid="avatar"
      >
        {initial}
      </div>
      <div className="min-w-0 flex-1">
        <p className="truncate font-medium" data-testid="profile-name">
          {name ?? <span className="text-slate-500">{t("unnamed")}</span>}
        </p>
        <p className="font-mono text-sm text-slate-500 tabular">{maskPhone(phone)}</p>
      </div>
      <Button
        variant="secondary"
        size="sm"
        onClick={() => {
          setValue(name ?? "");
          setError(null);
          setOpen(true);
        }}
      >
        <Pencil />
        {name ? t("editNickname") : t("setNickname")}
      </Button>
      <Dialog open={open} onOpenChange={setOpen}>
        <DialogContent title={t("nicknameTitle")} description={t("nicknameHint")}>
          <form onSubmit={save} className="flex flex-col gap-3">
            <Label htmlFor="nickname">{t("nickname")}</Label>
            <Input id="nickname" value={value} onChange={(e) => setValue(e.target.value)} maxLength={40} autoFocus autoComplete="nickname" />
            <FieldError>{error}</FieldError>
            <div className="flex justify-end gap-2">
              <Button type="button" variant="secondary" onClick={() => setOpen(false)}>
                {t("cancel")}
              </Button>
              <Button type="submit" disabled={pending || !value.trim()}>
                {t("save")}
              </Button>
            </div>
          </form>
        </DialogContent>
      </Dialog>
    </div>
  );
}
