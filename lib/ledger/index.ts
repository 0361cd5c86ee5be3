// The token ledger: wallets, buckets, holds and append-only entries (lib/ledger/README.md).
export { ensurePersonalWallet, createFamilyWallet, getWalletsForUser, type WalletWithRole } from "./wallets";
export { grant, adjust, refundUsage, expireBuckets, type GrantInput, type AdjustInput, type AdjustResult, type RefundResult, type BucketKind } from "./ops";
export {
  reserve,
  settle,
  release,
  releaseHold,
  recordProgress,
  sweepHolds,
  type ReserveInput,
  type ReserveResult,
  type RateCount,
  type RateCounted,
  type ResolveResult,
  type UsageInput,
} from "./holds";
export { allowanceLeftAtExpiry, carryOverAllowance, carryoverSource } from "./carryover";
export { getBalance, type Balance, type BucketBalance } from "./balance";
export { getBalanceView, type BalanceView, type BucketView } from "./balance-view";
export {
  resolvePayingWallet,
  resolvePayingWallets,
  getPayingWalletInfo,
  setPayingPreference,
  hasOwnPlan,
  type PayingWallet,
  type PayingWalletInfo,
  type PaysFrom,
} from "./paying-wallet";
export { countFamilyMembers, getFamilyMembership, getFamilyMemberships, type Membership } from "./family-wallets";
export { getMemberSpend, addMember, setMemberCap, setMemberPaused, removeMember, type MemberSpendView } from "./members";
export {
  reconcileLedger,
  runChecks,
  ledgerChecks,
  ledgerNotices,
  ledgerDrift,
  sqlCheck,
  type ReconcileCheck,
  type ReconcileProblem,
  type ReconcileReport,
} from "./reconcile";
export {
  LedgerError,
  IdempotencyConflictError,
  WalletNotFoundError,
  HoldLiveError,
  HoldNotFoundError,
  UsageNotFoundError,
  MemberNotFoundError,
  InvalidAmountError,
} from "./errors";
export type { Wallet, Bucket, Hold, Entry, Usage, WalletMember, MemberSpend } from "@/lib/db/schema";
