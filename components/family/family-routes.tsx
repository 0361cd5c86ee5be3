"use client";
import { useState, useTransition } from "react";
import { useTranslations } from "next-intl";
import { useRouter } from "next/navigation";
import { Button } from "@/components/ui/button";
import { FieldError, Input, Label, Select } from "@/components/ui/input";
import { useFailureText } from "@/components/use-failure-text";
import { setMyFamilyRoutes } from "@/app/actions/family-routes";

export type FamilyRoutesFormView = { only: string[]; ignore: string[]; sort: "price" | "latency" | "throughput" | "balanced" | null };

const SORTS = ["price", "latency", "throughput", "balanced"] as const;
const split = (v: string) =>
  v
    .split(/[,，\s]+/)
    .map((x) => x.trim().toLowerCase())
    .filter(Boolean);

/**
 * The owner's say over which providers serve the family (only / never) and which is tried first,
 * for every member's chats and API keys. A request or key can narrow further, never widen.
 */
export function FamilyRoutesForm({ initial, providers }: { initial: FamilyRoutesFormView; providers: string[] }) {
  const t = useTranslations("familyRoutes");
  const errorText = useFailureText("familyRoutes");
  const router = useRouter();
  const [only, setOnly] = useState(initial.only.join(", "));
  const [ignore, setIgnore] = useState(initial.ignore.join(", "));
  const [sort, setSort] = useState<string>(initial.sort ?? "");
  const [error, setError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);
  const [pending, startTransition] = useTransition();

  const save = (e: React.FormEvent) => {
    e.preventDefault();
    setSaved(false);
    setError(null);
    startTransition(async () => {
      const r = await setMyFamilyRoutes({ only: split(only), ignore: split(ignore), sort: sort === "" ? null : (sort as (typeof SORTS)[number]) });
      if (!r.ok) return setError(errorText(r));
      setOnly(r.routes.only.join(", "));
      setIgnore(r.routes.ignore.join(", "));
      setSaved(true);
      router.refresh();
    });
  };

  return (
    <form onSubmit={save} className="mt-3 flex flex-col gap-3" aria-label={t("form")}>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="family-route-sort">{t("sort")}</Label>
        <Select id="family-route-sort" value={sort} onChange={(e) => setSort(e.target.value)}>
          <option value="">{t("sortDefault")}</option>
          {SORTS.map((s) => (
            <option key={s} value={s}>
              {t(`sortOption.${s}`)}
            </option>
          ))}
        </Select>
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="family-route-only">{t("only")}</Label>
        <Input id="family-route-only" value={only} onChange={(e) => setOnly(e.target.value)} placeholder={t("providersHint")} list="family-route-providers" />
      </div>
      <div className="flex flex-col gap-1.5">
        <Label htmlFor="family-route-ignore">{t("ignore")}</Label>
        <Input
          id="family-route-ignore"
          value={ignore}
          onChange={(e) => setIgnore(e.target.value)}
          placeholder={t("providersHint")}
          list="family-route-providers"
        />
      </div>
      <datalist id="family-route-providers">
        {providers.map((p) => (
          <option key={p} value={p} />
        ))}
      </datalist>
      <FieldError>{error}</FieldError>
      {saved ? (
        <p role="status" className="text-sm text-emerald-700">
          {t("saved")}
        </p>
      ) : null}
      <Button type="submit" size="sm" disabled={pending}>
        {t("save")}
      </Button>
    </form>
  );
}
