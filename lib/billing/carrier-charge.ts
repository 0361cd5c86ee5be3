import { eq } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { carrierCharge, user, type CarrierCharge } from "@/lib/db/schema";
import { DomainError } from "@/lib/core/errors";
import { ensureBill } from "./ensure-bill";
import { addBillLine, type LineKind } from "./lines";
import type { CarrierBillingAdapter } from "./carrier";

export type ChargeSpec = {
  chargeId: string;
  userId: string;
  cycle: string;
  kind: CarrierCharge["kind"];
  lineKind: LineKind;
  amountFen: bigint;
  description: string;
  walletId: string;
  grantKey: string;
  grantTokens: bigint;
  grantKind: CarrierCharge["grantKind"];
  now: Date;
};

export type ChargeOutcome =
  | { ok: true; status: "posted"; charge: CarrierCharge; replayed: boolean }
  | { ok: false; code: "charge_failed"; status: "failed"; charge: CarrierCharge; reason: string };

function sameSpec(row: CarrierCharge, s: ChargeSpec): boolean {
  return row.userId === s.userId && row.amountFen === s.amountFen && row.grantKey === s.grantKey && row.grantTokens === s.grantTokens && row.kind === s.kind;
}

/**
 * Charges the phone bill once per charge id and records the carrier's answer. A posted charge
 * gets exactly one bill line (key `charge:<id>`); a failed one gets none. Asking again with the
 * same id returns the recorded result without calling the carrier again; a pending one (the
 * carrier was unreachable) is retried with the same id.
 */
export async function chargePhoneBill(db: Database, spec: ChargeSpec, adapter: CarrierBillingAdapter): Promise<ChargeOutcome> {
  const b = await ensureBill(db, { userId: spec.userId, cycle: spec.cycle });
  await db
    .insert(carrierCharge)
    .values({
      id: spec.chargeId,
      userId: spec.userId,
      billId: b.id,
      kind: spec.kind,
      amountFen: spec.amountFen,
      description: spec.description,
      adapter: adapter.name,
      walletId: spec.walletId,
      grantKey: spec.grantKey,
      grantTokens: spec.grantTokens,
      grantKind: spec.grantKind,
      createdAt: spec.now,
    })
    .onConflictDoNothing({ target: carrierCharge.id });
  let [row] = await db.select().from(carrierCharge).where(eq(carrierCharge.id, spec.chargeId));
  if (!row || !sameSpec(row, spec)) throw new DomainError("concurrent_change", `charge ${spec.chargeId} already used for another purchase`);

  if (row.status === "pending") {
    const [u] = await db.select({ phone: user.phone }).from(user).where(eq(user.id, spec.userId));
    if (!u) throw new DomainError("not_found", "user");
    const res = await adapter.charge({ chargeId: row.id, phone: u.phone, amountFen: row.amountFen, description: row.description, now: spec.now });
    const result = res.ok ? { reference: res.reference, reason: null } : { reference: null, reason: res.reason };
    const [updated] = await db
      .update(carrierCharge)
      .set({ status: res.ok ? "posted" : "failed", result, resolvedAt: spec.now })
      .where(eq(carrierCharge.id, row.id))
      .returning();
    row = updated ?? row;
  }
  if (row.status === "failed") return { ok: false, code: "charge_failed", status: "failed", charge: row, reason: row.result?.reason ?? "declined" };
  await addBillLine(db, {
    userId: row.userId,
    cycle: spec.cycle,
    kind: spec.lineKind,
    description: row.description,
    amountFen: row.amountFen,
    idempotencyKey: `charge:${row.id}`,
    chargeId: row.id,
    now: spec.now,
  });
  return { ok: true, status: "posted", charge: row, replayed: row.resolvedAt !== null && row.resolvedAt.getTime() !== spec.now.getTime() };
}
