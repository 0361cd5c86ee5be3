import { and, eq, inArray, like } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { bill, billLine, carrierCharge, usage, user } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { maskPhone } from "@/lib/core/format";

export type LookupMatch = "phone" | "phone_last4_name" | "account_id" | "bill_id" | "charge_id" | "usage_id";

export type LookupResult = {
  userId: string;
  name: string | null;
  /** Always masked (138****0001); unmasking is a separate, audited step. */
  maskedPhone: string;
  role: "subscriber" | "support";
  createdAt: Date;
  lastSignInAt: Date | null;
  matchedBy: LookupMatch;
  /** What matched besides the account itself, e.g. the bill's cycle. */
  detail: string | null;
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Classifies what staff typed: a full phone, last 4 digits (needs a name), an id, or a charge id. */
export function parseLookupQuery(
  raw: string,
): { kind: "phone"; phone: string } | { kind: "last4"; digits: string } | { kind: "uuid"; id: string } | { kind: "charge"; id: string } | null {
  const q = raw.trim();
  if (!q) return null;
  if (UUID.test(q)) return { kind: "uuid", id: q.toLowerCase() };
  // Phones are typed in many ways: 138 0000 0001, 138-0000-0001, +86 13800000001.
  const digits = q.replace(/[\s-]/g, "");
  const phone = digits.replace(/^\+?86/, "");
  if (/^1\d{10}$/.test(phone)) return { kind: "phone", phone };
  if (/^\d{4}$/.test(digits)) return { kind: "last4", digits };
  if (q.length >= 6 && q.length <= 120) return { kind: "charge", id: q };
  return null;
}

/**
 * Finds accounts by phone (full, or last 4 digits plus the exact name), account id, bill id,
 * charge id (carrier charge or bill line) or usage id/request id. Phones in the results are masked.
 */
export async function lookupAccounts(db: Database, { query, name }: { query: string; name?: string | null }): Promise<LookupResult[]> {
  const parsed = parseLookupQuery(query);
  if (!parsed) throw new DomainError("lookup_query_invalid");
  const found: { userId: string; matchedBy: LookupMatch; detail: string | null }[] = [];

  if (parsed.kind === "phone") {
    const rows = await db.select({ id: user.id }).from(user).where(eq(user.phone, parsed.phone));
    rows.forEach((r) => found.push({ userId: r.id, matchedBy: "phone", detail: null }));
  } else if (parsed.kind === "last4") {
    const n = name?.trim();
    // Four digits alone would let anyone page through customers; the name narrows it to one.
    if (!n) throw new DomainError("lookup_name_required");
    const rows = await db
      .select({ id: user.id })
      .from(user)
      .where(and(like(user.phone, `%${parsed.digits}`), eq(user.name, n)))
      .limit(20);
    rows.forEach((r) => found.push({ userId: r.id, matchedBy: "phone_last4_name", detail: null }));
  } else if (parsed.kind === "uuid") {
    const [u] = await db.select({ id: user.id }).from(user).where(eq(user.id, parsed.id));
    if (u) found.push({ userId: u.id, matchedBy: "account_id", detail: null });
    const [b] = await db.select({ userId: bill.userId, cycle: bill.cycle }).from(bill).where(eq(bill.id, parsed.id));
    if (b) found.push({ userId: b.userId, matchedBy: "bill_id", detail: b.cycle });
    const [bl] = await db
      .select({ userId: bill.userId, description: billLine.description })
      .from(billLine)
      .innerJoin(bill, eq(bill.id, billLine.billId))
      .where(eq(billLine.id, parsed.id));
    if (bl) found.push({ userId: bl.userId, matchedBy: "charge_id", detail: bl.description });
    const [us] = await db.select({ userId: usage.userId, modelId: usage.modelId }).from(usage).where(eq(usage.id, parsed.id));
    if (us) found.push({ userId: us.userId, matchedBy: "usage_id", detail: us.modelId });
  }
  if (parsed.kind === "uuid" || parsed.kind === "charge") {
    const id = parsed.id;
    const charges = await db
      .select({ userId: bill.userId, description: billLine.description })
      .from(billLine)
      .innerJoin(bill, eq(bill.id, billLine.billId))
      .where(eq(billLine.chargeId, id))
      .limit(5);
    charges.forEach((c) => found.push({ userId: c.userId, matchedBy: "charge_id", detail: c.description }));
    const carrier = await db
      .select({ userId: carrierCharge.userId, description: carrierCharge.description })
      .from(carrierCharge)
      .where(eq(carrierCharge.id, id))
      .limit(5);
    carrier.forEach((c) => found.push({ userId: c.userId, matchedBy: "charge_id", detail: c.description }));
    const reqs = await db.select({ userId: usage.userId, modelId: usage.modelId }).from(usage).where(eq(usage.requestId, id)).limit(5);
    reqs.forEach((r) => found.push({ userId: r.userId, matchedBy: "usage_id", detail: r.modelId }));
  }

  if (!found.length) return [];
  const ids = [...new Set(found.map((f) => f.userId))];
  const users = await db
    .select({ id: user.id, name: user.name, phone: user.phone, role: user.role, createdAt: user.createdAt, lastSignInAt: user.lastSignInAt })
    .from(user)
    .where(inArray(user.id, ids));
  const byId = new Map(users.map((u) => [u.id, u]));
  const seen = new Set<string>();
  const out: LookupResult[] = [];
  for (const f of found) {
    const u = byId.get(f.userId);
    if (!u || seen.has(`${u.id}:${f.matchedBy}`)) continue;
    seen.add(`${u.id}:${f.matchedBy}`);
    out.push({
      userId: u.id,
      name: u.name,
      maskedPhone: maskPhone(u.phone),
      role: u.role,
      createdAt: u.createdAt,
      lastSignInAt: u.lastSignInAt,
      matchedBy: f.matchedBy,
      detail: f.detail,
    });
  }
  return out;
}
