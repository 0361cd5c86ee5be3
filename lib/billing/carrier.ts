/**
 * Carrier billing: how a purchase reaches the subscriber's phone bill. A real carrier gateway
 * implements `CarrierBillingAdapter`; charges are identified by our charge id, so asking twice
 * for the same id must not charge twice.
 */
export type CarrierChargeRequest = { chargeId: string; phone: string; amountFen: bigint; description: string; now: Date };
export type CarrierChargeResult = { ok: true; reference: string } | { ok: false; code: "charge_declined"; reason: string };

export interface CarrierBillingAdapter {
  readonly name: string;
  charge(req: CarrierChargeRequest): Promise<CarrierChargeResult>;
}

/** The default: the charge is recorded on our own bill and counts as posted to the phone bill. */
export const embeddedCarrier: CarrierBillingAdapter = {
  name: "embedded",
  async charge(req) {
    return { ok: true, reference: `emb-${req.chargeId}` };
  },
};

/** For tests: a carrier that declines every charge (or those `decline` picks). */
export function failingCarrier(
  reason = "declined",
  decline: (req: CarrierChargeRequest) => boolean = () => true,
): CarrierBillingAdapter & { calls: CarrierChargeRequest[] } {
  const calls: CarrierChargeRequest[] = [];
  return {
    name: "test-failing",
    calls,
    async charge(req) {
      calls.push(req);
      return decline(req) ? { ok: false, code: "charge_declined", reason } : { ok: true, reference: `test-${req.chargeId}` };
    },
  };
}

/** For tests: a carrier that throws (network down) — the charge stays pending and can be retried. */
export function throwingCarrier(): CarrierBillingAdapter {
  return {
    name: "test-throwing",
    async charge() {
      throw new Error("carrier unreachable");
    },
  };
}
