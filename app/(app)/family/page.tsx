import Link from "next/link";
import { getLocale, getTranslations } from "next-intl/server";
import { Check, Lock, Users } from "lucide-react";
import { requireUser } from "@/lib/server/session";
import { getDb } from "@/lib/server/db";
import { getFamilyUsageByMember, getMemberFamilyView, getOwnerFamilyView, listInvitationsForUser } from "@/lib/family";
import { getPayingWalletInfo } from "@/lib/ledger";
import { formatTokens, formatYuan, maskPhone, type Locale } from "@/lib/core/format";
import { Alert, Badge, Card, CardTitle, PageHeader } from "@/components/ui/card";
import { Button } from "@/components/ui/button";
import { InviteDialog } from "@/components/family/invite-dialog";
import { MemberAvatar, MemberList, SpendBar } from "@/components/family/member-list";
import { PendingInvitations } from "@/components/family/pending-invitations";
import { IncomingInvitations } from "@/components/family/incoming-invitations";
import { LeaveFamilyButton, MyFamilyUsage, PayingPreference } from "@/components/family/member-controls";
import { AskPayerButton, MemberRules, PayerRequests } from "@/components/family/member-rules";
import { getMemberControls, listPendingRequests, memberBlockNow } from "@/lib/family/controls";
import { economicalModels, economySwitchedSince, getSafetyNet } from "@/lib/plans/safety-net";
import { catalogOptions } from "@/lib/server/wiring";
import { getConfirmThresholds } from "@/lib/chat";
import { PACKS } from "@/lib/plans";
import { SafetyNetCard } from "@/components/plans/safety-net-card";
import { safetyNetCurrent } from "@/components/plans/safety-net-current";
import { formatDay } from "@/components/plans/dates";
import { FamilyRoutesSection } from "./family-routes-section";

export const dynamic = "force-dynamic";

export default async function FamilyPage() {
  const me = await requireUser();
  const db = await getDb();
  const now = new Date();
  const locale = (await getLocale()) as Locale;
  const t = await getTranslations("family");
  const incoming = await listInvitationsForUser(db, { userId: me.id, now });
  const incomingView = incoming.map((i) => ({
    id: i.id,
    inviterName: i.inviterName,
    inviterPhone: i.inviterPhone,
    capTokens: i.capTokens?.toString() ?? null,
    expiresAt: i.expiresAt.toISOString(),
  }));
  const owner = await getOwnerFamilyView(db, { ownerUserId: me.id, now });
  const member = owner ? null : await getMemberFamilyView(db, { userId: me.id, now });
  const fmt = (v: bigint) => formatTokens(v, locale);

  return (
    <div className="mx-auto w-full max-w-3xl px-4 py-5">
      <PageHeader
        title={t("title")}
        description={t("subtitle")}
        actions={owner && owner.plan ? <InviteDialog seatsLeft={Math.max(0, owner.plan.seats - owner.seatsUsed)} /> : null}
      />
      <IncomingInvitations invitations={incomingView} />

      {owner ? (
        <OwnerView
          owner={owner}
          meId={me.id}
          totals={await getFamilyUsageByMember(db, { ownerUserId: me.id, cycle: owner.cycle })}
          requests={await listPendingRequests(db, { ownerUserId: me.id })}
          rules={
            await Promise.all(
              owner.members
                .filter((m) => m.role === "member")
                .map(async (m) => ({
                  member: m,
                  controls: await getMemberControls(db, { walletId: owner.walletId, userId: m.userId }),
                  net: await getSafetyNet(db, { walletId: owner.walletId, userId: m.userId }),
                  confirm: (await getConfirmThresholds(db, { userId: m.userId })).owner,
                  switched: await economySwitchedSince(db, { walletId: owner.walletId, userId: m.userId, now }),
                })),
            )
          }
          fmt={fmt}
          t={t}
          locale={locale}
        />
      ) : member ? (
        <MemberView
          member={member}
          paying={await getPayingWalletInfo(db, { userId: me.id, now })}
          block={await memberBlockNow(db, { walletId: member.walletId, userId: me.id, now })}
          fmt={fmt}
          t={t}
          locale={locale}
        />
      ) : (
        <NoFamily t={t} />
      )}
    </div>
  );
}

type T = Awaited<ReturnType<typeof getTranslations<"family">>>;

const hhmm = (m: number) => `${String(Math.floor(m / 60)).padStart(2, "0")}:${String(m % 60).padStart(2, "0")}`;

function Pool({
  label,
  available,
  held,
  total,
  fmt,
  t,
  children,
}: {
  label: string;
  available: bigint;
  held: bigint;
  total: bigint;
  fmt: (v: bigint) => string;
  t: T;
  children?: React.ReactNode;
}) {
  const pct = total > 0n ? Number((available * 100n) / total) : 0;
  return (
    <section className="relative overflow-hidden rounded-2xl bg-gradient-to-br from-brand-600 to-brand-800 p-5 text-white shadow-sm" data-testid="family-pool">
      <div className="pointer-events-none absolute -right-10 -top-10 size-40 rounded-full bg-white/10" aria-hidden />
      <div className="pointer-events-none absolute -bottom-16 right-16 size-32 rounded-full bg-white/5" aria-hidden />
      <p className="text-sm text-white/80">{label}</p>
      <p className="mt-1 flex items-baseline gap-2">
        <span className="text-4xl font-semibold tracking-tight tabular" data-testid="family-pool-available" data-tokens={available.toString()}>
          {fmt(available)}
        </span>
        <span className="text-sm text-white/80">tokens</span>
      </p>
      <div className="mt-4 h-1.5 overflow-hidden rounded-full bg-white/20">
        <div className="h-full rounded-full bg-white" style={{ width: `${Math.min(100, Math.max(pct, available > 0n ? 2 : 0))}%` }} />
      </div>
      <div className="mt-2 flex flex-wrap items-center justify-between gap-x-3 gap-y-1 text-xs text-white/80">
        <span>{held > 0n ? t("pool.held", { amount: fmt(held) }) : t("pool.resetHint")}</span>
        {children}
      </div>
    </section>
  );
}

function PrivacyNote({ text }: { text: string }) {
  return (
    <p className="mt-5 flex items-start gap-2 px-1 text-xs text-slate-500">
      <Lock className="mt-px size-3.5 shrink-0" />
      {text}
    </p>
  );
}

function OwnerView({
  owner,
  meId,
  totals,
  requests,
  rules,
  fmt,
  t,
  locale,
}: {
  owner: NonNullable<Awaited<ReturnType<typeof getOwnerFamilyView>>>;
  meId: string;
  totals: Awaited<ReturnType<typeof getFamilyUsageByMember>>;
  requests: Awaited<ReturnType<typeof listPendingRequests>>;
  rules: {
    member: { userId: string; name: string | null; phone: string };
    controls: Awaited<ReturnType<typeof getMemberControls>>;
    net: Awaited<ReturnType<typeof getSafetyNet>>;
    confirm: bigint | null;
    switched: Date | null;
  }[];
  fmt: (v: bigint) => string;
  t: T;
  locale: Locale;
}) {
  const members = owner.members.map((m) => ({
    userId: m.userId,
    name: m.name,
    phone: m.phone,
    role: m.role,
    capTokens: m.capTokens?.toString() ?? null,
    paused: m.paused,
    used: m.used.toString(),
    held: m.held.toString(),
    isSelf: m.userId === meId,
  }));
  const othersCount = members.filter((m) => m.role === "member").length;
  const economyModels = economicalModels(catalogOptions()).map((m) => ({ id: m.id, label: m.name }));
  const totalSpent = totals.reduce((s, r) => s + r.planTokens, 0n);
  return (
    <div className="space-y-4">
      <Pool label={t("pool.label")} available={owner.pool.available} held={owner.pool.held} total={owner.pool.granted} fmt={fmt} t={t}>
        {owner.plan ? (
          <span className="flex items-center gap-2">
            <span>{t("pool.plan", { plan: owner.plan.tierName[locale], seats: owner.plan.seats })}</span>
            <span className="rounded-full bg-white/15 px-2 py-0.5 font-medium text-white" data-testid="family-seats">
              {t("pool.seats", { used: owner.seatsUsed, seats: owner.plan.seats })}
            </span>
          </span>
        ) : null}
      </Pool>
      {!owner.plan ? <Alert tone="warn">{t("pool.noPlan")}</Alert> : null}

      <Card>
        <div className="mb-2 flex items-center justify-between">
          <CardTitle>
            {t("members.title")} <span className="font-normal text-slate-400">{members.length}</span>
          </CardTitle>
        </div>
        <MemberList members={members} cycle={owner.cycle} poolTotal={(owner.pool.total + totalSpent).toString()} />
        {othersCount === 0 && owner.invitations.length === 0 ? (
          <div className="mt-3 rounded-xl bg-slate-50 px-4 py-4 text-center">
            <p className="text-sm font-medium text-slate-700">{t("members.empty")}</p>
            <p className="mt-1 text-xs text-slate-500">{t("members.emptyHint", { amount: fmt(owner.pool.available) })}</p>
          </div>
        ) : null}
      </Card>

      {requests.length > 0 ? (
        <Card>
          <CardTitle className="mb-2">{t("requests.title")}</CardTitle>
          <PayerRequests
            requests={requests.map((r) => ({
              id: r.id,
              display: r.memberName ?? maskPhone(r.memberPhone),
              reason: r.reason,
              createdAt: r.createdAt.toISOString(),
            }))}
          />
        </Card>
      ) : null}

      {rules.length > 0 ? (
        <Card data-testid="family-rules">
          <CardTitle>{t("rules.title")}</CardTitle>
          <p className="mb-3 mt-0.5 text-xs text-slate-500">{t("rules.hint")}</p>
          <div className="grid gap-3 sm:grid-cols-2">
            {rules.map(({ member: m, controls: c, net, confirm, switched }) => (
              <div key={m.userId} className="flex flex-col gap-3">
                <MemberRules
                  member={{
                    userId: m.userId,
                    display: m.name ?? m.phone,
                    allowedModels: c?.allowedModels ?? null,
                    economyOnly: c?.economyOnly ?? false,
                    dailyCapTokens: c?.dailyCapTokens?.toString() ?? null,
                    quiet: c && c.quietStartMin !== null && c.quietEndMin !== null ? { startMin: c.quietStartMin, endMin: c.quietEndMin } : null,
                    confirmTokens: confirm?.toString() ?? null,
                  }}
                />
                <SafetyNetCard
                  memberUserId={m.userId}
                  title={t("rules.safetyNetFor", { name: m.name ?? m.phone })}
                  current={safetyNetCurrent(net)}
                  packs={PACKS.map((p) => ({ id: p.id, label: `${p.name[locale]} · ${formatYuan(p.priceFen)}` }))}
                  economyModels={economyModels}
                  switchedSince={switched ? formatDay(switched, locale) : null}
                />
              </div>
            ))}
          </div>
        </Card>
      ) : null}

      <FamilyRoutesSection ownerUserId={meId} />

      {owner.invitations.length > 0 ? (
        <Card>
          <CardTitle className="mb-2">{t("pending.title")}</CardTitle>
          <PendingInvitations
            invitations={owner.invitations.map((i) => ({
              id: i.id,
              phone: i.phone,
              capTokens: i.capTokens?.toString() ?? null,
              expiresAt: i.expiresAt.toISOString(),
            }))}
          />
        </Card>
      ) : null}

      <Card>
        <CardTitle>{t("usage.billTitle")}</CardTitle>
        <p className="mt-0.5 text-xs text-slate-500">
          {owner.cycle} · {t("usage.billHint")}
        </p>
        <ul className="mt-3 space-y-3" data-testid="family-usage-by-member">
          {totals.map((r) => {
            const share = totalSpent > 0n ? Number((r.planTokens * 100n) / totalSpent) : 0;
            return (
              <li key={r.userId} className="flex items-center gap-3" data-testid="family-usage-row" data-name={r.name ?? r.phone}>
                <MemberAvatar name={r.name} phone={r.phone} tone={r.role === "owner" ? "brand" : "slate"} />
                <div className="min-w-0 flex-1">
                  <div className="flex items-center justify-between gap-2 text-sm">
                    <span className="flex min-w-0 items-center gap-1.5">
                      <span className="truncate font-medium text-slate-800">{r.name ?? r.phone}</span>
                      {r.status === "removed" ? <Badge>{t("usage.removedTag")}</Badge> : null}
                    </span>
                    <span className="shrink-0 tabular text-slate-900" data-testid="family-usage-tokens" data-tokens={r.planTokens.toString()}>
                      {fmt(r.planTokens)}
                    </span>
                  </div>
                  <div className="mt-1.5 flex items-center gap-2">
                    <div className="flex-1">
                      <SpendBar used={r.planTokens} cap={null} pool={totalSpent} />
                    </div>
                    <span className="w-16 shrink-0 text-right text-xs text-slate-500">{t("usage.requests", { count: r.requests })}</span>
                  </div>
                </div>
                <span className="sr-only">{share}%</span>
              </li>
            );
          })}
        </ul>
      </Card>
      <PrivacyNote text={t("privacy.owner")} />
    </div>
  );
}

function MemberView({
  member,
  paying,
  block,
  fmt,
  t,
  locale,
}: {
  member: NonNullable<Awaited<ReturnType<typeof getMemberFamilyView>>>;
  paying: Awaited<ReturnType<typeof getPayingWalletInfo>>;
  block: Awaited<ReturnType<typeof memberBlockNow>>;
  fmt: (v: bigint) => string;
  t: T;
  locale: Locale;
}) {
  const ownerName = member.owner.name ?? member.owner.phone;
  const spent = member.used + member.held;
  // This cycle's cap includes what the payer approved on top of it.
  const cap = member.capTokens === null ? null : member.capTokens + member.capExtra;
  const capLeft = cap === null ? null : cap > spent ? cap - spent : 0n;
  const capReached = cap !== null && spent >= cap;
  return (
    <div className="space-y-4">
      <Pool label={t("pool.label")} available={member.poolAvailable} held={0n} total={member.poolGranted} fmt={fmt} t={t}>
        <span>{t("pool.paidBy", { name: ownerName })}</span>
      </Pool>

      {member.paused ? (
        <Alert tone="warn">{t("member.pausedAlert", { name: ownerName })}</Alert>
      ) : capReached ? (
        <Card role="status" data-testid="family-cap-reached">
          <p className="text-sm text-slate-800">{t("member.capReachedAlert")}</p>
          <p className="mb-3 mt-1 text-xs text-slate-500">{t("requests.askHint")}</p>
          <AskPayerButton reason="cap_reached" />
        </Card>
      ) : null}

      {block.reason ? (
        <Card role="status" data-testid="family-blocked">
          <p className="text-sm text-slate-800">
            {block.reason === "quiet_hours" && block.controls?.quietStartMin != null && block.controls.quietEndMin != null
              ? t("requests.quietNow", { start: hhmm(block.controls.quietStartMin), end: hhmm(block.controls.quietEndMin) })
              : t("requests.dailyReached")}
          </p>
          <p className="mb-3 mt-1 text-xs text-slate-500">{t("requests.askHint")}</p>
          <AskPayerButton reason={block.reason} />
        </Card>
      ) : null}

      <Card data-testid="my-quota">
        <div className="flex items-start justify-between gap-3">
          <div>
            <CardTitle>{t("member.myQuota")}</CardTitle>
            <p className="mt-0.5 text-xs text-slate-500">
              {t("member.joinedAt", { date: member.joinedAt.toLocaleDateString(locale === "zh-CN" ? "zh-CN" : "en-US", { timeZone: "Asia/Shanghai" }) })}
            </p>
          </div>
          {member.paused ? <Badge tone="amber">{t("members.paused")}</Badge> : null}
        </div>
        <div className="mt-4 flex items-baseline justify-between gap-3">
          <span className="text-2xl font-semibold tabular text-slate-900" data-testid="my-used">
            {fmt(spent)}
          </span>
          <span className="text-sm text-slate-500 tabular" data-testid="my-cap">
            {cap === null ? t("members.noCap") : `/ ${fmt(cap)}`}
          </span>
        </div>
        <div className="mt-2">
          <SpendBar used={spent} cap={cap} pool={member.poolAvailable + spent} />
        </div>
        <p className="mt-2 text-xs text-slate-500">{capLeft === null ? t("member.noCapHint") : t("member.capLeft", { amount: fmt(capLeft) })}</p>
      </Card>

      {paying.canChoose ? (
        <Card>
          <CardTitle>{t("paying.title")}</CardTitle>
          <p className="mb-3 mt-0.5 text-xs text-slate-500">{t("paying.description")}</p>
          <PayingPreference paysFrom={paying.paysFrom} ownerName={ownerName} />
        </Card>
      ) : null}

      <Card>
        <CardTitle className="mb-3">{t("member.myUsage")}</CardTitle>
        <MyFamilyUsage cycle={member.cycle} />
      </Card>

      <div className="flex items-center justify-between gap-3">
        <PrivacyNote text={t("privacy.member")} />
      </div>
      <div className="flex justify-center">
        <LeaveFamilyButton />
      </div>
    </div>
  );
}

function NoFamily({ t }: { t: T }) {
  const points = [t("empty.point1"), t("empty.point2"), t("empty.point3")];
  return (
    <Card className="overflow-hidden p-0 sm:p-0" data-testid="family-empty">
      <div className="bg-gradient-to-br from-brand-50 via-white to-violet-50 px-5 pb-5 pt-6 sm:px-8 sm:pt-8">
        <div className="flex size-12 items-center justify-center rounded-2xl bg-brand-600 text-white shadow-sm">
          <Users className="size-6" />
        </div>
        <h2 className="mt-4 text-lg font-semibold text-slate-900">{t("empty.title")}</h2>
        <p className="mt-1 text-sm text-slate-600">{t("empty.hint")}</p>
        <ul className="mt-4 space-y-2">
          {points.map((p) => (
            <li key={p} className="flex items-start gap-2 text-sm text-slate-700">
              <Check className="mt-0.5 size-4 shrink-0 text-brand-600" />
              {p}
            </li>
          ))}
        </ul>
        <Button asChild className="mt-5 w-full sm:w-auto">
          <Link prefetch={false} href="/plans">
            {t("empty.cta")}
          </Link>
        </Button>
      </div>
    </Card>
  );
}
