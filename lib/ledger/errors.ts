import { DomainError } from "@/lib/core/errors";

/** Typed ledger errors: a class per failure with a literal `code`, mapped like every DomainError. */
export abstract class LedgerError<C extends string = string> extends DomainError<C> {}

/** An idempotency key was reused with different parameters. */
export class IdempotencyConflictError extends LedgerError<"idempotency_conflict"> {
  constructor(readonly idempotencyKey: string) {
    super("idempotency_conflict", `idempotency key ${idempotencyKey} was already used with other parameters`);
  }
}

export class WalletNotFoundError extends LedgerError<"wallet_not_found"> {
  constructor(readonly walletId: string) {
    super("wallet_not_found", `wallet ${walletId} not found`);
  }
}

export class HoldNotFoundError extends LedgerError<"hold_not_found"> {
  constructor(readonly holdId: string) {
    super("hold_not_found", `hold ${holdId} not found`);
  }
}

/** A hold whose stream still shows progress: only its own request may resolve it. */
export class HoldLiveError extends LedgerError<"hold_live"> {
  constructor(readonly holdId: string) {
    super("hold_live", `hold ${holdId} is still live`);
  }
}

export class UsageNotFoundError extends LedgerError<"usage_not_found"> {
  constructor(readonly usageId: string) {
    super("usage_not_found", `usage ${usageId} not found`);
  }
}

export class MemberNotFoundError extends LedgerError<"member_not_found"> {
  constructor(
    readonly walletId: string,
    readonly userId: string,
  ) {
    super("member_not_found", `user ${userId} is not a member of wallet ${walletId}`);
  }
}

/** A caller passed an amount the operation cannot take (negative, zero, not an integer). */
export class InvalidAmountError extends LedgerError<"invalid_amount"> {
  constructor(message: string) {
    super("invalid_amount", message);
  }
}
