import { and, desc, eq, gt, inArray, isNull, or, sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { authSession, bill, billLine, carrierCharge, familyInvitation, hold, usage, user, wallet, walletMember } from "@/lib/db/schema";
import { getPlanSummary } from "@/lib/plans";
import { DomainError } from "@/lib/core/errors";
import { maskPhone } from "@/lib/core/format";
import { getBalance } from "@/lib/ledger";
import { getLockout } from "@/lib/auth/otp";
import { listAudit, type AuditEntry } from "./audit";
import { listOpenHolds } from "./actions";

/**
 * Everything staff see about one account. Usage is metadata only (time, model, tokens, plan
 * tokens): no support query selects conversation ids or message content, and this view's
 * shape is pinned by a test. Phones are masked; session ids (cookie secrets) are never shown.
 */
export type AccountView = Awaited<ReturnType<typeof getAccountView>>;

export const USAGE_ROWS = 50;

export async function getAccountView(db: Database, { userId, now }: { userId: string; now: Date }) {
  const [u] = await db
    .select({
      id: user.id,
      phone: user.phone,
      name: user.name,
      role: user.role,
      locale: user.locale,
      createdAt: user.createdAt,
      lastSignInAt: user.lastSignInAt,
    })
    .from(user)
    .where(eq(user.id, userId));
  if (!u) throw new DomainError("account_not_found");

  const plan = await getPlanSummary(db, { userId, now });

  // Wallets the account owns, plus family wallets it belongs to.
  const memberships = await db
    .select({ walletId: walletMember.walletId })
    .from(walletMember)
    .where(and(eq(walletMember.userId, userId), eq(walletMember.status, "active")));
  const walletRows = await db
    .select({ id: wallet.id, kind: wallet.kind, ownerUserId: wallet.ownerUserId, createdAt: wallet.createdAt })
    .from(wallet)
    .where(
      memberships.length
        ? or(
            eq(wallet.ownerUserId, userId),
            inArray(
              wallet.id,
              memberships.map((m) => m.walletId),
            ),
          )
        : eq(wallet.ownerUserId, userId),
    )
    .orderBy(wallet.createdAt);
  const wallets = await Promise.all(
    walletRows.map(async (w) => {
      const b = await getBalance(db, { walletId: w.id, now });
      return {
        id: w.id,
        kind: w.kind,
        owned: w.ownerUserId === userId,
        available: b.available,
        held: b.held,
        total: b.total,
        buckets: b.buckets.map((x) => ({
          id: x.id,
          kind: x.kind,
          available: x.available,
          held: x.held,
          granted: x.granted,
          expiresAt: x.expiresAt,
          source: x.source,
        })),
      };
    }),
  );

  const holds = await listOpenHolds(db, { userId, now });
  // Output a stream produced after its hold was resolved, which the wallet could not pay.
  const ownedWallets = wallets.map((w) => w.id);
  const shortfalls = await db
    .select({
      id: hold.id,
      walletId: hold.walletId,
      userId: hold.userId,
      shortfall: hold.shortfall,
      lateCharged: hold.lateCharged,
      resolvedAt: hold.resolvedAt,
    })
    .from(hold)
    .where(
      and(gt(hold.shortfall, 0n), ownedWallets.length ? sql`(${inArray(hold.walletId, ownedWallets)} or ${eq(hold.userId, userId)})` : eq(hold.userId, userId)),
    )
    .orderBy(desc(hold.resolvedAt))
    .limit(20);

  const bills = await db.select().from(bill).where(eq(bill.userId, userId)).orderBy(desc(bill.cycle)).limit(12);
  const lines = bills.length
    ? await db
        .select({
          id: billLine.id,
          billId: billLine.billId,
          kind: billLine.kind,
          description: billLine.description,
          amountFen: billLine.amountFen,
          chargeId: billLine.chargeId,
          createdAt: billLine.createdAt,
        })
        .from(billLine)
        .where(
          inArray(
            billLine.billId,
            bills.map((b) => b.id),
          ),
        )
        .orderBy(billLine.createdAt)
    : [];
  const charges = await db
    .select({
      id: carrierCharge.id,
      billId: carrierCharge.billId,
      kind: carrierCharge.kind,
      amountFen: carrierCharge.amountFen,
      description: carrierCharge.description,
      status: carrierCharge.status,
      createdAt: carrierCharge.createdAt,
    })
    .from(carrierCharge)
    .where(eq(carrierCharge.userId, userId))
    .orderBy(desc(carrierCharge.createdAt))
    .limit(50);

  // Metadata columns only, listed one by one on purpose.
  const usageRows = await db
    .select({
      id: usage.id,
      createdAt: usage.createdAt,
      cycle: usage.cycle,
      modelId: usage.modelId,
      providerRoute: usage.providerRoute,
      routeAttempts: usage.routeAttempts,
      tokensIn: usage.tokensIn,
      tokensOut: usage.tokensOut,
      planTokens: usage.planTokens,
      status: usage.status,
      usageSource: usage.usageSource,
      refundedAt: usage.refundedAt,
      walletId: usage.walletId,
      apiKeyId: usage.apiKeyId,
    })
    .from(usage)
    .where(eq(usage.userId, userId))
    .orderBy(desc(usage.createdAt))
    .limit(USAGE_ROWS);

  // Family: members of every family wallet the account owns or belongs to.
  const familyWalletIds = walletRows.filter((w) => w.kind === "family").map((w) => w.id);
  const members = familyWalletIds.length
    ? await db
        .select({
          walletId: walletMember.walletId,
          userId: walletMember.userId,
          role: walletMember.role,
          capTokens: walletMember.capTokens,
          paused: walletMember.paused,
          status: walletMember.status,
          joinedAt: walletMember.joinedAt,
          name: user.name,
          phone: user.phone,
        })
        .from(walletMember)
        .innerJoin(user, eq(user.id, walletMember.userId))
        .where(inArray(walletMember.walletId, familyWalletIds))
        .orderBy(walletMember.joinedAt)
    : [];
  const invitations = familyWalletIds.length
    ? await db
        .select({
          id: familyInvitation.id,
          walletId: familyInvitation.walletId,
          phone: familyInvitation.phone,
          status: familyInvitation.status,
          expiresAt: familyInvitation.expiresAt,
          createdAt: familyInvitation.createdAt,
        })
        .from(familyInvitation)
        .where(and(inArray(familyInvitation.walletId, familyWalletIds), eq(familyInvitation.status, "pending")))
    : [];

  const sessions = await db
    .select({
      createdAt: authSession.createdAt,
      expiresAt: authSession.expiresAt,
      revokedAt: authSession.revokedAt,
      ip: authSession.ip,
      userAgent: authSession.userAgent,
    })
    .from(authSession)
    .where(eq(authSession.userId, userId))
    .orderBy(desc(authSession.createdAt))
    .limit(20);
  const live = (
    await db
      .select({ id: authSession.id })
      .from(authSession)
      .where(and(eq(authSession.userId, userId), isNull(authSession.revokedAt), gt(authSession.expiresAt, now)))
  ).length;
  const lockedUntil = await getLockout(db, { phone: u.phone, now });
  const audit: AuditEntry[] = await listAudit(db, { targetUserId: userId, limit: 50 });

  return {
    account: { id: u.id, name: u.name, maskedPhone: maskPhone(u.phone), role: u.role, locale: u.locale, createdAt: u.createdAt, lastSignInAt: u.lastSignInAt },
    plan,
    wallets,
    holds,
    shortfalls,
    bills: bills.map((b) => ({
      id: b.id,
      cycle: b.cycle,
      status: b.status,
      totalFen: b.totalFen,
      closedAt: b.closedAt,
      lines: lines.filter((l) => l.billId === b.id),
    })),
    charges,
    usage: usageRows.map(({ apiKeyId, ...r }) => ({ ...r, viaApi: apiKeyId !== null })),
    family: {
      members: members.map(({ phone, ...m }) => ({ ...m, maskedPhone: maskPhone(phone), isAccount: m.userId === userId })),
      invitations: invitations.map(({ phone, ...i }) => ({ ...i, maskedPhone: maskPhone(phone) })),
    },
    security: {
      liveSessions: live,
      lockedUntil,
      sessions: sessions.map((s) => ({ ...s, live: !s.revokedAt && s.expiresAt > now })),
    },
    audit,
  };
}
