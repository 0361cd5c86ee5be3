import { and, desc, eq, gte, lt, lte, sql, type SQL } from "drizzle-orm";
import { alias } from "drizzle-orm/pg-core";
import type { Database } from "@/lib/db/types";
import { auditLog, user, type AuditLog } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { maskPhone } from "@/lib/core/format";
import type { AuditAction, ReasonCode } from "./config";

export type AuditJson = Record<string, unknown> | null;

/** Makes a value safe for jsonb: bigints become decimal strings, dates ISO strings. */
export function toAuditJson(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map(toAuditJson);
  if (value && typeof value === "object") {
    return Object.fromEntries(
      Object.entries(value)
        .filter(([, v]) => v !== undefined)
        .map(([k, v]) => [k, toAuditJson(v)]),
    );
  }
  return value;
}

export type AuditInput = {
  actorUserId: string;
  action: AuditAction;
  targetUserId: string | null;
  reasonCode: ReasonCode;
  note: string;
  idempotencyKey: string;
  now: Date;
};

/** The audit row already written for this idempotency key, if any. */
export async function findAuditByKey(db: Database, idempotencyKey: string): Promise<AuditLog | null> {
  const [row] = await db.select().from(auditLog).where(eq(auditLog.idempotencyKey, idempotencyKey));
  return row ?? null;
}

function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err, i = 0; e && i < 4; e = (e as { cause?: unknown }).cause, i++) {
    if ((e as { code?: string }).code === "23505") return true;
  }
  return false;
}

/**
 * Runs one staff action exactly once per idempotency key and writes its audit row in the same
 * transaction: the action's effect and its record land together or not at all. A resubmitted
 * form (same key) returns the first row; the same key for another action is refused.
 */
export async function runAudited<T>(
  db: Database,
  input: AuditInput,
  act: (tx: Database) => Promise<{ before: AuditJson; after: AuditJson; result: T }>,
): Promise<{ audit: AuditLog; replayed: boolean; result: T | null }> {
  const replay = async (): Promise<{ audit: AuditLog; replayed: true; result: null } | null> => {
    const prior = await findAuditByKey(db, input.idempotencyKey);
    if (!prior) return null;
    if (prior.action !== input.action || prior.actorUserId !== input.actorUserId || prior.targetUserId !== input.targetUserId) {
      throw new DomainError("idempotency_conflict", "this form was already used for another action");
    }
    return { audit: prior, replayed: true, result: null };
  };
  const first = await replay();
  if (first) return first;
  try {
    return await db.transaction(async (tx) => {
      const { before, after, result } = await act(tx);
      const [audit] = await tx
        .insert(auditLog)
        .values({
          at: input.now,
          actorUserId: input.actorUserId,
          action: input.action,
          targetUserId: input.targetUserId,
          reasonCode: input.reasonCode,
          note: input.note.trim(),
          before: toAuditJson(before) as AuditJson,
          after: toAuditJson(after) as AuditJson,
          idempotencyKey: input.idempotencyKey,
        })
        .returning();
      return { audit: audit!, replayed: false, result };
    });
  } catch (err) {
    // A concurrent submission of the same form won the race: its row is the answer.
    if (isUniqueViolation(err)) {
      const again = await replay();
      if (again) return again;
    }
    throw err;
  }
}

export type AuditFilter = {
  targetUserId?: string;
  actorUserId?: string;
  action?: AuditAction;
  from?: Date;
  to?: Date;
  /** Rows strictly older than this (paging). */
  before?: Date;
  limit?: number;
};

export type AuditEntry = {
  id: string;
  at: Date;
  action: string;
  reasonCode: string;
  note: string;
  before: AuditJson;
  after: AuditJson;
  actor: { id: string; name: string | null };
  target: { id: string; name: string | null; maskedPhone: string } | null;
};

/** The audit log newest first, per account or global, with filters. Read-only by design. */
export async function listAudit(db: Database, filter: AuditFilter = {}): Promise<AuditEntry[]> {
  const actor = alias(user, "actor");
  const target = alias(user, "target");
  const where: SQL[] = [];
  if (filter.targetUserId) where.push(eq(auditLog.targetUserId, filter.targetUserId));
  if (filter.actorUserId) where.push(eq(auditLog.actorUserId, filter.actorUserId));
  if (filter.action) where.push(eq(auditLog.action, filter.action));
  if (filter.from) where.push(gte(auditLog.at, filter.from));
  if (filter.to) where.push(lte(auditLog.at, filter.to));
  if (filter.before) where.push(lt(auditLog.at, filter.before));
  const rows = await db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      reasonCode: auditLog.reasonCode,
      note: auditLog.note,
      before: auditLog.before,
      after: auditLog.after,
      actorId: actor.id,
      actorName: actor.name,
      targetId: target.id,
      targetName: target.name,
      targetPhone: target.phone,
    })
    .from(auditLog)
    .innerJoin(actor, eq(actor.id, auditLog.actorUserId))
    .leftJoin(target, eq(target.id, auditLog.targetUserId))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditLog.at), desc(auditLog.id))
    .limit(Math.min(filter.limit ?? 50, 200));
  return rows.map((r) => ({
    id: r.id,
    at: r.at,
    action: r.action,
    reasonCode: r.reasonCode,
    note: r.note,
    before: r.before ?? null,
    after: r.after ?? null,
    actor: { id: r.actorId, name: r.actorName },
    target: r.targetId ? { id: r.targetId, name: r.targetName, maskedPhone: maskPhone(r.targetPhone ?? "") } : null,
  }));
}

/** Staff members, for the audit log's actor filter. */
export async function listStaff(db: Database): Promise<{ id: string; name: string | null }[]> {
  return db.select({ id: user.id, name: user.name }).from(user).where(eq(user.role, "support")).orderBy(sql`${user.name} nulls last`);
}
