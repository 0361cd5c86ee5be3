/**
 * The plan catalog, as data: every tier, pack and the trial with their price (integer fen),
 * tokens and entitlements. Code looks things up here; nothing branches on a tier's name.
 */
export type TierId = "t399" | "t599" | "t999" | "t1999" | "t2999";
export type PackId = "p99" | "p299" | "p999";

export type Tier = {
  id: TierId;
  name: { "zh-CN": string; en: string };
  priceFen: bigint;
  tokens: bigint;
  /** Family sharing: how many people (owner included) may share the allowance; 0 = personal only. */
  familyMembers: number;
  highlight?: boolean;
};

export type Pack = {
  id: PackId;
  name: { "zh-CN": string; en: string };
  priceFen: bigint;
  tokens: bigint;
  /** Packs last until the end of the cycle after the one they were bought in. */
  validCycles: number;
};

export const TIERS: readonly Tier[] = [
  { id: "t399", name: { "zh-CN": "轻享版", en: "Lite" }, priceFen: 3990n, tokens: 15_000_000n, familyMembers: 0 },
  { id: "t599", name: { "zh-CN": "畅享版", en: "Plus" }, priceFen: 5990n, tokens: 30_000_000n, familyMembers: 0, highlight: true },
  { id: "t999", name: { "zh-CN": "专业版", en: "Pro" }, priceFen: 9990n, tokens: 60_000_000n, familyMembers: 0 },
  { id: "t1999", name: { "zh-CN": "家庭版", en: "Family" }, priceFen: 19990n, tokens: 140_000_000n, familyMembers: 4 },
  { id: "t2999", name: { "zh-CN": "家庭尊享版", en: "Family Max" }, priceFen: 29990n, tokens: 250_000_000n, familyMembers: 6 },
] as const;

export const PACKS: readonly Pack[] = [
  { id: "p99", name: { "zh-CN": "加油包 400万", en: "Top-up 4M" }, priceFen: 990n, tokens: 4_000_000n, validCycles: 2 },
  { id: "p299", name: { "zh-CN": "加油包 1200万", en: "Top-up 12M" }, priceFen: 2990n, tokens: 12_000_000n, validCycles: 2 },
  { id: "p999", name: { "zh-CN": "加油包 4000万", en: "Top-up 40M" }, priceFen: 9990n, tokens: 40_000_000n, validCycles: 2 },
] as const;

/** The one-time free trial every new account gets. */
export const TRIAL = { tokens: 500_000n, days: 7 } as const;

/** Usage thresholds (percent of the cycle's allowance) that trigger a notice and an SMS. */
export const ALERT_THRESHOLDS = [50, 80, 100] as const;
export type AlertThreshold = (typeof ALERT_THRESHOLDS)[number];

export const TIER_IDS = TIERS.map((t) => t.id) as [TierId, ...TierId[]];
export const PACK_IDS = PACKS.map((p) => p.id) as [PackId, ...PackId[]];

export function getTier(id: string): Tier | undefined {
  return TIERS.find((t) => t.id === id);
}

export function getPack(id: string): Pack | undefined {
  return PACKS.find((p) => p.id === id);
}

export function isFamilyTier(tier: Tier): boolean {
  return tier.familyMembers > 0;
}

/** Members besides the owner a tier allows (family limit counts the owner). */
export function memberSlots(tier: Tier): number {
  return Math.max(0, tier.familyMembers - 1);
}
