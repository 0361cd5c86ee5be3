import { getLocale, getTranslations } from "next-intl/server";
import Link from "next/link";
import { ArrowRight } from "lucide-react";
import { Badge } from "@/components/ui/card";
import type { AuditEntry } from "@/lib/support/audit";
import { formatDateTime } from "./format";

const tone: Record<string, "slate" | "brand" | "green" | "amber" | "red"> = {
  unmask_phone: "amber",
  goodwill_credit: "green",
  goodwill_credit_requested: "amber",
  goodwill_credit_approved: "green",
  goodwill_credit_rejected: "red",
  refund_usage: "green",
  release_hold: "brand",
  change_plan: "brand",
  cancel_plan: "red",
  clear_lockout: "brand",
  sign_out_everywhere: "red",
  self_dealing_refused: "red",
  purchase_code_sent: "amber",
  purchase_code_rejected: "red",
};

/** The fields that changed (ids left out; they are in the raw record). */
function changes(before: Record<string, unknown> | null, after: Record<string, unknown> | null) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].filter(
    (k) => !/Id$/.test(k) || k === "tierId" || k === "scheduledTierId",
  );
  return keys
    .map((k) => ({ key: k, before: before?.[k], after: after?.[k] }))
    .filter((c) => JSON.stringify(c.before) !== JSON.stringify(c.after))
    .slice(0, 5);
}

function show(v: unknown): string {
  if (v === null || v === undefined) return "—";
  if (typeof v === "string" && /^\d{4}-\d{2}-\d{2}T/.test(v)) return v.slice(0, 16).replace("T", " ");
  if (typeof v === "string" && /^-?\d{5,}$/.test(v)) return BigInt(v).toLocaleString("en-US");
  return String(v);
}

/** Audit entries as a timeline: who, when, what, why, and what changed. */
export async function AuditList({ entries, showTarget = true, compact = false }: { entries: AuditEntry[]; showTarget?: boolean; compact?: boolean }) {
  const t = await getTranslations("support");
  const locale = await getLocale();
  return (
    <ol className="divide-y divide-slate-100" data-testid="audit-list">
      {entries.map((e) => {
        const diff = changes(e.before, e.after);
        return (
          <li key={e.id} className="py-3 first:pt-0 last:pb-0" data-testid="audit-entry" data-action={e.action}>
            <div className="flex flex-wrap items-center gap-x-2 gap-y-1 text-sm">
              <Badge tone={tone[e.action] ?? "slate"}>
                {t.has(`auditAction.${e.action}`) ? t(`auditAction.${e.action}` as "auditAction.unmask_phone") : e.action}
              </Badge>
              <span className="font-medium text-slate-900">{e.actor.name ?? "—"}</span>
              {showTarget && e.target ? (
                <>
                  <ArrowRight className="size-3.5 text-slate-400" />
                  <Link prefetch={false} href={`/support/accounts/${e.target.id}`} className="text-brand-700 hover:underline">
                    {e.target.name ?? t("unnamed")} <span className="font-mono text-xs tabular-nums text-slate-500">{e.target.maskedPhone}</span>
                  </Link>
                </>
              ) : null}
              <time className="ml-auto text-xs tabular-nums text-slate-400" dateTime={e.at.toISOString()}>
                {formatDateTime(e.at, locale)}
              </time>
            </div>
            <p className="mt-1 text-sm text-slate-600">
              <span className="text-slate-500">{t.has(`reason.${e.reasonCode}`) ? t(`reason.${e.reasonCode}` as "reason.other") : e.reasonCode}</span>
              {e.note ? <span className="text-slate-700"> · {e.note}</span> : null}
            </p>
            {!compact && diff.length ? (
              <dl className="mt-1.5 flex flex-wrap gap-1.5">
                {diff.map((c) => (
                  <div key={c.key} className="rounded-lg bg-slate-50 px-2 py-1 font-mono text-[11px] text-slate-600 ring-1 ring-slate-100">
                    <dt className="inline text-slate-400">{t.has(`auditField.${c.key}`) ? t(`auditField.${c.key}` as "auditField.amount") : c.key}: </dt>
                    <dd className="inline tabular-nums">
                      {c.before === undefined ? (
                        <span className="text-slate-900">{show(c.after)}</span>
                      ) : c.after === undefined ? (
                        <span className="text-slate-900">{show(c.before)}</span>
                      ) : (
                        <>
                          {show(c.before)} → <span className="text-slate-900">{show(c.after)}</span>
                        </>
                      )}
                    </dd>
                  </div>
                ))}
              </dl>
            ) : null}
          </li>
        );
      })}
    </ol>
  );
}
