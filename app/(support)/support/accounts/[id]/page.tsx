import Link from "next/link";
import { notFound } from "next/navigation";
import { getLocale, getTranslations } from "next-intl/server";
import { ChevronLeft, Wallet, Package, Receipt, Activity, Users, ShieldAlert, ScrollText, Hourglass, Smartphone } from "lucide-react";
import { requireStaff } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { getAccountView } from "@/lib/support/account";
import { staffStake } from "@/lib/support/guard";
import { quotePlanChangeForUser } from "@/lib/support/plan";
import { TIERS } from "@/lib/plans/tiers";
import { formatInt, formatTokens, formatYuan } from "@/lib/core/format";
import { Alert, Badge, Card, CardTitle, EmptyState } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { AuditList } from "@/components/support/audit-list";
import { RouteLine } from "@/components/support/route-line";
import { formatDate, formatDateTime } from "@/components/support/format";
import {
  CancelPlanAction,
  ChangePlanAction,
  ClearLockoutAction,
  GoodwillAction,
  RefundUsageAction,
  ReleaseHoldAction,
  SignOutEverywhereAction,
  UnmaskPhone,
} from "@/components/support/account-actions";

export const dynamic = "force-dynamic";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function Section({
  icon: Icon,
  title,
  aside,
  children,
  testId,
}: {
  icon: React.ComponentType<{ className?: string }>;
  title: React.ReactNode;
  aside?: React.ReactNode;
  children: React.ReactNode;
  testId?: string;
}) {
  return (
    <Card data-testid={testId}>
      <div className="mb-3 flex items-center gap-2">
        <Icon className="size-4 text-slate-400" />
        <CardTitle className="text-sm">{title}</CardTitle>
        {aside ? <div className="ml-auto text-xs text-slate-500">{aside}</div> : null}
      </div>
      {children}
    </Card>
  );
}

function Stat({ label, value, hint, tone = "slate" }: { label: string; value: React.ReactNode; hint?: React.ReactNode; tone?: "slate" | "amber" | "brand" }) {
  const colors = { slate: "text-slate-900", amber: "text-amber-700", brand: "text-brand-700" } as const;
  return (
    <div className="rounded-2xl bg-white p-4 shadow-sm ring-1 ring-slate-200/70">
      <p className="text-xs text-slate-500">{label}</p>
      <p className={`mt-1 text-lg font-semibold tabular-nums sm:text-xl ${colors[tone]}`}>{value}</p>
      {hint ? <p className="mt-0.5 truncate text-xs text-slate-400">{hint}</p> : null}
    </div>
  );
}

export default async function SupportAccountPage({ params }: { params: Promise<{ id: string }> }) {
  const staff = await requireStaff();
  const { id } = await params;
  if (!UUID.test(id)) notFound();
  const db = await getDb();
  const now = new Date();
  const v = await getAccountView(db, { userId: id, now }).catch((e: { code?: string }) => {
    if (e?.code === "account_not_found") notFound();
    throw e;
  });
  const t = await getTranslations("support");
  const locale = (await getLocale()) as "zh-CN" | "en";
  const a = v.account;
  const owned = v.wallets.filter((w) => w.owned);
  const available = owned.reduce((s, w) => s + w.available, 0n);
  const held = owned.reduce((s, w) => s + w.held, 0n);
  const currentBill = v.bills[0];
  const plan = v.plan;
  const tierName = plan.tier ? plan.tier.name[locale] : null;
  // Staff never credit, refund or change the plan of their own account or a wallet they spend from.
  const stake = await staffStake(db, staff.id);
  const ownAccount = a.id === staff.id;
  const benefits = (walletId: string) => ownAccount || stake.walletIds.has(walletId);
  const selfDealing = ownAccount || owned.some((w) => stake.walletIds.has(w.id));
  const walletOptions = owned.filter((w) => !benefits(w.id)).map((w) => ({ id: w.id, label: t(`account.walletKind.${w.kind}`) }));
  const quotes = await Promise.all(TIERS.map((x) => quotePlanChangeForUser(db, { targetUserId: a.id, tierId: x.id, now })));
  const tierOptions = TIERS.map((x, i) => ({
    id: x.id,
    label: `${x.name[locale]} · ${formatYuan(x.priceFen)} · ${formatTokens(x.tokens, locale)} tokens`,
    kind: quotes[i]!.kind,
    price: quotes[i]!.paid ? formatYuan(quotes[i]!.priceFen) : null,
  }));

  return (
    <div className="space-y-4" data-testid="support-account">
      <Link prefetch={false} href="/support" className="inline-flex items-center gap-1 text-sm text-slate-500 hover:text-slate-800">
        <ChevronLeft className="size-4" />
        {t("account.back")}
      </Link>

      <Card className="flex flex-col gap-4 lg:flex-row lg:items-center">
        <div className="flex min-w-0 flex-1 items-center gap-4">
          <div className="flex size-12 shrink-0 items-center justify-center rounded-full bg-brand-600 text-lg font-semibold text-white">
            {(a.name ?? "?").slice(0, 1)}
          </div>
          <div className="min-w-0">
            <h1 className="flex flex-wrap items-center gap-2 text-xl font-semibold text-slate-900">
              {a.name ?? t("unnamed")}
              <Badge tone={a.role === "support" ? "amber" : "slate"}>{t(`role.${a.role}`)}</Badge>
              {v.security.lockedUntil ? <Badge tone="red">{t("account.lockedUntil", { time: formatDateTime(v.security.lockedUntil, locale) })}</Badge> : null}
            </h1>
            <div className="mt-0.5 flex flex-wrap items-center gap-x-3 gap-y-1 text-sm text-slate-600">
              <UnmaskPhone targetUserId={a.id} masked={a.maskedPhone} />
              <span className="text-slate-300">|</span>
              <span className="text-xs text-slate-500">{t("account.createdAt", { date: formatDate(a.createdAt, locale) })}</span>
              <span className="text-xs text-slate-500">
                {a.lastSignInAt ? t("account.lastSignIn", { date: formatDateTime(a.lastSignInAt, locale) }) : t("account.neverSignedIn")}
              </span>
            </div>
            <p className="mt-0.5 truncate font-mono text-[11px] text-slate-400" title={a.id}>
              {t("account.id")} {a.id}
            </p>
          </div>
        </div>
        <div className="flex flex-wrap gap-2" aria-label={t("account.actions")}>
          <GoodwillAction targetUserId={a.id} wallets={walletOptions} disabled={ownAccount} />
          <ChangePlanAction targetUserId={a.id} tiers={tierOptions} currentTierId={plan.tier?.id ?? null} disabled={selfDealing} />
          <CancelPlanAction targetUserId={a.id} disabled={selfDealing || !plan.tier || plan.scheduled?.action === "cancel"} />
          <ClearLockoutAction targetUserId={a.id} locked={!!v.security.lockedUntil} />
          <SignOutEverywhereAction targetUserId={a.id} />
        </div>
      </Card>

      {selfDealing ? (
        <Alert tone="warn" data-testid="self-dealing-notice">
          {t("action.selfDealing")}
        </Alert>
      ) : null}

      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        <Stat
          label={t("account.plan")}
          value={tierName ?? t("account.noPlan")}
          hint={
            plan.scheduled
              ? plan.scheduled.action === "cancel"
                ? t("account.scheduledCancel")
                : t("account.scheduledDowngrade", { tier: plan.scheduled.tier?.name[locale] ?? "" })
              : plan.tier
                ? t("account.cycle", { cycle: plan.cycle })
                : undefined
          }
          tone="brand"
        />
        <Stat label={t("account.available")} value={`${formatTokens(available, locale)}`} hint={`${formatInt(available, locale)} tokens`} />
        <Stat
          label={t("account.held")}
          value={formatTokens(held, locale)}
          hint={v.holds.length ? `${v.holds.length} · ${t("account.holds")}` : undefined}
          tone={held > 0n ? "amber" : "slate"}
        />
        <Stat
          label={t("account.bills")}
          value={currentBill ? formatYuan(currentBill.totalFen) : "—"}
          hint={currentBill ? `${currentBill.cycle} · ${t(`account.billStatus.${currentBill.status}`)}` : undefined}
        />
      </div>

      <div className="grid gap-4 lg:grid-cols-[minmax(0,1fr)_24rem]">
        <div className="min-w-0 space-y-4">
          <Section icon={Receipt} title={t("account.bills")}>
            {v.bills.length === 0 ? (
              <EmptyState title={t("account.noBills")} />
            ) : (
              <div className="space-y-3">
                {v.bills.map((b) => (
                  <details key={b.id} open={b === v.bills[0]} className="group rounded-xl ring-1 ring-slate-100">
                    <summary className="flex cursor-pointer list-none items-center gap-2 px-3 py-2.5">
                      <span className="font-medium tabular-nums">{b.cycle}</span>
                      <Badge tone={b.status === "open" ? "brand" : "slate"}>{t(`account.billStatus.${b.status}`)}</Badge>
                      <span className="hidden truncate font-mono text-[11px] text-slate-400 sm:inline">{b.id}</span>
                      <span className="ml-auto font-semibold tabular-nums">{formatYuan(b.totalFen)}</span>
                    </summary>
                    <div className="border-t border-slate-100 px-3 py-2">
                      {b.lines.length === 0 ? (
                        <p className="py-1 text-sm text-slate-500">{t("account.noLines")}</p>
                      ) : (
                        <ul className="divide-y divide-slate-50 text-sm">
                          {b.lines.map((l) => (
                            <li key={l.id} className="flex items-start gap-3 py-1.5">
                              <Badge tone={l.kind === "refund" || l.kind === "adjustment" ? "green" : "slate"} className="mt-0.5 shrink-0">
                                {t(`account.lineKind.${l.kind}`)}
                              </Badge>
                              <div className="min-w-0 flex-1">
                                <p className="text-slate-700">{l.description}</p>
                                <p className="text-[11px] tabular-nums text-slate-400">
                                  {formatDateTime(l.createdAt, locale)}
                                  {l.chargeId ? <span className="ml-1 font-mono">· {l.chargeId}</span> : null}
                                </p>
                              </div>
                              <span className="shrink-0 font-medium tabular-nums">{formatYuan(l.amountFen)}</span>
                            </li>
                          ))}
                        </ul>
                      )}
                    </div>
                  </details>
                ))}
              </div>
            )}
            {v.charges.length ? (
              <div className="mt-4">
                <p className="mb-1.5 text-xs font-medium text-slate-500">{t("account.charges")}</p>
                <ul className="divide-y divide-slate-50 text-sm">
                  {v.charges.map((c) => (
                    <li key={c.id} className="flex items-center gap-3 py-1.5">
                      <Badge tone={c.status === "posted" ? "green" : c.status === "failed" ? "red" : "amber"}>{t(`account.chargeStatus.${c.status}`)}</Badge>
                      <div className="min-w-0 flex-1">
                        <p className="truncate text-slate-700">{c.description}</p>
                        <p className="truncate font-mono text-[11px] text-slate-400">{c.id}</p>
                      </div>
                      <span className="font-medium tabular-nums">{formatYuan(c.amountFen)}</span>
                    </li>
                  ))}
                </ul>
              </div>
            ) : null}
          </Section>

          <Section icon={Activity} title={t("account.usage")} aside={t("account.usageHint")} testId="usage-section">
            {v.usage.length === 0 ? (
              <EmptyState title={t("account.noUsage")} />
            ) : (
              <>
                <div className="max-h-[30rem] overflow-y-auto">
                  <table className="hidden w-full text-sm md:table">
                    <thead className="sticky top-0 z-[1] bg-white text-left text-xs text-slate-500">
                      <tr className="border-b border-slate-100">
                        <th className="py-2 pr-3 font-medium">{t("account.col.time")}</th>
                        <th className="py-2 pr-3 font-medium">{t("account.col.model")}</th>
                        <th className="py-2 pr-3 text-right font-medium">{t("account.col.tokensIn")}</th>
                        <th className="py-2 pr-3 text-right font-medium">{t("account.col.tokensOut")}</th>
                        <th className="py-2 pr-3 text-right font-medium">{t("account.col.planTokens")}</th>
                        <th className="py-2 pr-3 font-medium">{t("account.col.status")}</th>
                        <th className="py-2" />
                      </tr>
                    </thead>
                    <tbody className="divide-y divide-slate-50">
                      {v.usage.map((u) => (
                        <tr key={u.id} data-testid="usage-row" className={u.refundedAt ? "text-slate-400" : undefined}>
                          <td className="py-2 pr-3 tabular-nums text-slate-600">{formatDateTime(u.createdAt, locale)}</td>
                          <td className="max-w-56 truncate py-2 pr-3 font-mono text-xs" title={u.modelId}>
                            {u.modelId}
                            {u.viaApi ? <Badge className="ml-1.5">{t("account.viaApi")}</Badge> : null}
                            <RouteLine
                              via={t("account.route", { provider: u.providerRoute })}
                              tried={u.routeAttempts && u.routeAttempts.length > 1 ? t("account.routeAttempts", { count: u.routeAttempts.length }) : null}
                              attempts={u.routeAttempts}
                            />
                          </td>
                          <td className="py-2 pr-3 text-right tabular-nums">{formatInt(u.tokensIn, locale)}</td>
                          <td className="py-2 pr-3 text-right tabular-nums">{formatInt(u.tokensOut, locale)}</td>
                          <td className="py-2 pr-3 text-right font-medium tabular-nums">{formatInt(u.planTokens, locale)}</td>
                          <td className="py-2 pr-3">
                            {u.refundedAt ? (
                              <Badge tone="green">{t("account.refunded")}</Badge>
                            ) : (
                              <Badge tone={u.status === "ok" ? "slate" : "amber"}>{t(`account.usageStatus.${u.status}`)}</Badge>
                            )}
                          </td>
                          <td className="py-2 text-right">
                            {u.refundedAt || u.planTokens === 0n || benefits(u.walletId) ? null : (
                              <RefundUsageAction targetUserId={a.id} usageId={u.id} model={u.modelId} planTokens={u.planTokens.toString()} />
                            )}
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                </div>
                <ul className="divide-y divide-slate-100 md:hidden">
                  {v.usage.slice(0, 20).map((u) => (
                    <li key={u.id} className="flex items-center gap-3 py-2.5" data-testid="usage-row-mobile">
                      <div className="min-w-0 flex-1">
                        <p className="truncate font-mono text-xs text-slate-800">{u.modelId}</p>
                        <RouteLine
                          via={t("account.route", { provider: u.providerRoute })}
                          tried={u.routeAttempts && u.routeAttempts.length > 1 ? t("account.routeAttempts", { count: u.routeAttempts.length }) : null}
                          attempts={u.routeAttempts}
                        />
                        <p className="text-xs tabular-nums text-slate-500">
                          {formatDateTime(u.createdAt, locale)} · {formatInt(u.tokensIn, locale)} / {formatInt(u.tokensOut, locale)}
                        </p>
                      </div>
                      <div className="text-right">
                        <p className="text-sm font-medium tabular-nums">{formatTokens(u.planTokens, locale)}</p>
                        {u.refundedAt ? (
                          <Badge tone="green">{t("account.refunded")}</Badge>
                        ) : u.planTokens > 0n && !benefits(u.walletId) ? (
                          <RefundUsageAction targetUserId={a.id} usageId={u.id} model={u.modelId} planTokens={u.planTokens.toString()} />
                        ) : null}
                      </div>
                    </li>
                  ))}
                </ul>
              </>
            )}
          </Section>
        </div>

        <div className="min-w-0 space-y-4">
          <Section icon={Package} title={t("account.plan")}>
            {plan.tier ? (
              <div className="space-y-2 text-sm">
                <div className="flex items-center gap-2">
                  <span className="text-base font-semibold">{plan.tier.name[locale]}</span>
                  <Badge tone="green">{t(`account.planStatus.${plan.status as "active"}`)}</Badge>
                  <span className="ml-auto tabular-nums text-slate-500">{formatYuan(plan.tier.priceFen)}</span>
                </div>
                <div className="h-2 overflow-hidden rounded-full bg-slate-100">
                  <div
                    className="h-full rounded-full bg-brand-500"
                    style={{ width: `${plan.allowance.granted > 0n ? Number((plan.allowance.used * 100n) / plan.allowance.granted) : 0}%` }}
                  />
                </div>
                <p className="text-xs tabular-nums text-slate-500">
                  {formatTokens(plan.allowance.used, locale)} / {formatTokens(plan.allowance.granted, locale)} · {t("account.cycle", { cycle: plan.cycle })}
                </p>
                {plan.scheduled ? (
                  <p className="rounded-lg bg-amber-50 px-2 py-1 text-xs text-amber-800">
                    {t("account.scheduled")}:{" "}
                    {plan.scheduled.action === "cancel"
                      ? t("account.scheduledCancel")
                      : t("account.scheduledDowngrade", { tier: plan.scheduled.tier?.name[locale] ?? "" })}
                  </p>
                ) : null}
              </div>
            ) : (
              <p className="text-sm text-slate-500">
                {t("account.noPlan")}
                {plan.status !== "none" ? ` · ${t(`account.planStatus.${plan.status}`)}` : ""}
              </p>
            )}
          </Section>

          <Section icon={Wallet} title={t("account.wallets")}>
            <div className="space-y-3">
              {v.wallets.map((w) => (
                <div key={w.id} className="rounded-xl bg-slate-50 p-3" data-testid="wallet">
                  <div className="flex items-center gap-2 text-sm">
                    <span className="font-medium">{t(`account.walletKind.${w.kind}`)}</span>
                    {!w.owned ? <Badge>{t("account.memberOf")}</Badge> : null}
                    <span className="ml-auto font-semibold tabular-nums">{formatInt(w.available, locale)}</span>
                  </div>
                  <p className="text-right text-[11px] tabular-nums text-slate-500">
                    {t("account.held")} {formatInt(w.held, locale)} · {t("account.total")} {formatInt(w.total, locale)}
                  </p>
                  {w.buckets.length ? (
                    <ul className="mt-2 space-y-1 text-xs">
                      {w.buckets.map((b) => (
                        <li key={b.id} className="flex items-center gap-2">
                          <Badge tone={b.kind === "credit" ? "green" : b.kind === "allowance" ? "brand" : "slate"}>
                            {t(`account.bucketKind.${b.kind === "credit" && b.source.startsWith("refund:") ? "refund" : b.kind}`)}
                          </Badge>
                          <span className="tabular-nums text-slate-700">
                            {formatTokens(b.available, locale)}
                            <span className="text-slate-400"> / {formatTokens(b.granted, locale)}</span>
                          </span>
                          <span className="ml-auto tabular-nums text-slate-400">
                            {t("account.expires")} {formatDate(b.expiresAt, locale)}
                          </span>
                        </li>
                      ))}
                    </ul>
                  ) : (
                    <p className="mt-1 text-xs text-slate-400">{t("account.noBuckets")}</p>
                  )}
                </div>
              ))}
            </div>
          </Section>

          <Section icon={Hourglass} title={t("account.holds")}>
            {v.holds.length === 0 ? (
              <p className="text-sm text-slate-500">{t("account.noHolds")}</p>
            ) : (
              <ul className="space-y-2">
                {v.holds.map((h) => (
                  <li key={h.id} className="flex items-center gap-3 rounded-xl bg-slate-50 p-2.5 text-sm" data-testid="hold">
                    <div className="min-w-0 flex-1">
                      <p className="font-medium tabular-nums">{formatInt(h.amount, locale)}</p>
                      <p className="text-xs text-slate-500">{t("account.holdCreated", { date: formatDateTime(h.createdAt, locale) })}</p>
                    </div>
                    <Badge tone={h.stuck ? "amber" : "slate"}>{h.stuck ? t("account.holdStuck") : t("account.holdLive")}</Badge>
                    {h.stuck && !benefits(h.walletId) ? <ReleaseHoldAction targetUserId={a.id} holdId={h.id} amount={h.amount.toString()} /> : null}
                  </li>
                ))}
              </ul>
            )}
          </Section>

          {v.shortfalls.length > 0 ? (
            <Section icon={Hourglass} title={t("account.shortfalls")}>
              <p className="mb-2 text-xs text-slate-500">{t("account.shortfallsHint")}</p>
              <ul className="space-y-2">
                {v.shortfalls.map((h) => (
                  <li key={h.id} className="flex items-center gap-3 rounded-xl bg-amber-50 p-2.5 text-sm" data-testid="shortfall">
                    <div className="min-w-0 flex-1">
                      <p className="font-medium tabular-nums">{t("account.shortfallAmount", { amount: formatInt(h.shortfall, locale) })}</p>
                      <p className="text-xs text-slate-500">{h.resolvedAt ? formatDateTime(h.resolvedAt, locale) : ""}</p>
                    </div>
                  </li>
                ))}
              </ul>
            </Section>
          ) : null}

          <Section icon={Users} title={t("account.family")}>
            {v.family.members.length === 0 ? (
              <p className="text-sm text-slate-500">{t("account.noFamily")}</p>
            ) : (
              <ul className="space-y-2 text-sm">
                {v.family.members.map((m) => (
                  <li key={`${m.walletId}:${m.userId}`} className="flex items-center gap-2">
                    <div className="flex size-8 items-center justify-center rounded-full bg-slate-100 text-xs font-medium">{(m.name ?? "?").slice(0, 1)}</div>
                    <div className="min-w-0 flex-1">
                      {m.isAccount ? (
                        <p className="font-medium">
                          {m.name ?? t("unnamed")} <span className="text-xs text-slate-400">({t("account.thisAccount")})</span>
                        </p>
                      ) : (
                        <Link prefetch={false} href={`/support/accounts/${m.userId}`} className="font-medium text-brand-700 hover:underline">
                          {m.name ?? t("unnamed")}
                        </Link>
                      )}
                      <p className="font-mono text-xs tabular-nums text-slate-500">{m.maskedPhone}</p>
                    </div>
                    <div className="flex flex-col items-end gap-0.5">
                      <Badge tone={m.role === "owner" ? "brand" : "slate"}>{t(`account.familyRole.${m.role}`)}</Badge>
                      <span className="text-[11px] text-slate-400">
                        {m.status === "removed"
                          ? t("account.removed")
                          : m.paused
                            ? t("account.paused")
                            : m.capTokens !== null
                              ? t("account.cap", { cap: formatTokens(m.capTokens, locale) })
                              : t("account.noCap")}
                      </span>
                    </div>
                  </li>
                ))}
              </ul>
            )}
            {v.family.invitations.length ? (
              <div className="mt-3 border-t border-slate-100 pt-2">
                <p className="text-xs font-medium text-slate-500">{t("account.pendingInvites")}</p>
                <ul className="mt-1 space-y-0.5 font-mono text-xs tabular-nums text-slate-600">
                  {v.family.invitations.map((i) => (
                    <li key={i.id}>{i.maskedPhone}</li>
                  ))}
                </ul>
              </div>
            ) : null}
          </Section>

          <Section icon={ShieldAlert} title={t("account.security")} aside={t("account.liveSessions", { count: v.security.liveSessions })}>
            <p className={`mb-2 rounded-lg px-2 py-1 text-xs ${v.security.lockedUntil ? "bg-red-50 text-red-700" : "bg-emerald-50 text-emerald-700"}`}>
              {v.security.lockedUntil ? t("account.lockedUntil", { time: formatDateTime(v.security.lockedUntil, locale) }) : t("account.notLocked")}
            </p>
            {v.security.sessions.length === 0 ? (
              <p className="text-sm text-slate-500">{t("account.noSessions")}</p>
            ) : (
              <ul className="space-y-1.5 text-xs">
                {v.security.sessions.slice(0, 6).map((s, i) => (
                  <li key={i} className="flex items-center gap-2">
                    <Smartphone className="size-3.5 shrink-0 text-slate-400" />
                    <span className="min-w-0 flex-1 truncate text-slate-600" title={s.userAgent ?? undefined}>
                      {s.userAgent ? s.userAgent.replace(/\(([^)]*)\).*/, "($1)").slice(0, 48) : t("account.unknownDevice")}
                    </span>
                    <span className="tabular-nums text-slate-400">{formatDateTime(s.createdAt, locale)}</span>
                    <Badge tone={s.live ? "green" : "slate"}>
                      {s.live ? t("account.sessionLive") : s.revokedAt ? t("account.sessionRevoked") : t("account.sessionExpired")}
                    </Badge>
                  </li>
                ))}
              </ul>
            )}
          </Section>

          <Section icon={ScrollText} title={t("account.audit")} testId="account-audit">
            {v.audit.length === 0 ? <p className="text-sm text-slate-500">{t("account.noAudit")}</p> : <AuditList entries={v.audit} showTarget={false} />}
            {v.audit.length ? (
              <Button asChild variant="link" size="sm" className="mt-2">
                <Link prefetch={false} href={`/support/audit?account=${a.id}`}>
                  {t("home.viewAll")}
                </Link>
              </Button>
            ) : null}
          </Section>
        </div>
      </div>
    </div>
  );
}
