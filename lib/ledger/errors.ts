/** Typed ledger errors: a class per failure with a literal `code` that lib/errors.ts can map. */
export class LedgerError extends Error {
  readonly code: string = "ledger_error";
}

/** An idempotency key was reused with different parameters. */
export class IdempotencyConflictError extends LedgerError {
  override readonly code = "idempotency_conflict" as const;
  constructor(readonly idempotencyKey: string) {
    super(`idempotency key ${idempotencyKey} was already used with other parameters`);
  }
}

export class WalletNotFoundError extends LedgerError {
  override readonly code = "wallet_not_found" as const;
  constructor(readonly walletId: string) {
    super(`wallet ${walletId} not found`);
  }
}

export class HoldNotFoundError extends LedgerError {
  override readonly code = "hold_not_found" as const;
  constructor(readonly holdId: string) {
    super(`hold ${holdId} not found`);
  }
}

/** A hold whose stream still shows progress: only its own request may resolve it. */
export class HoldLiveError extends LedgerError {
  override readonly code = "hold_live" as const;
  constructor(readonly holdId: string) {
    super(`hold ${holdId} is still live`);
  }
}

export class UsageNotFoundError extends LedgerError {
  override readonly code = "usage_not_found" as const;
  constructor(readonly usageId: string) {
    super(`usage ${usageId} not found`);
  }
}

export class MemberNotFoundError extends LedgerError {
  override readonly code = "member_not_found" as const;
  constructor(readonly walletId: string, readonly userId: string) {
    super(`user ${userId} is not a member of wallet ${walletId}`);
  }
}

/** A caller passed an amount the operation cannot take (negative, zero, not an integer). */
export class InvalidAmountError extends LedgerError {
  override readonly code = "invalid_amount" as const;
  constructor(message: string) {
    super(message);
  }
}
