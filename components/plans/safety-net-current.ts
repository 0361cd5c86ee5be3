/** The payer's 放心用 choice as the safety-net card shows it (server and client alike). */
export type SafetyNetCurrent =
  | { mode: "stop" }
  | { mode: "auto_pack"; packId: string; maxPacksPerMonth: number }
  | { mode: "economy"; modelId: string; packId: string; maxPacksPerMonth: number };

/** The card's starting state from the stored row (null: never set, which is stop). */
export function safetyNetCurrent(
  net: { mode: string; packId: string | null; maxPacksPerMonth: number; economyModelId: string | null } | null,
): SafetyNetCurrent {
  if (net?.mode === "auto_pack" && net.packId) return { mode: "auto_pack", packId: net.packId, maxPacksPerMonth: net.maxPacksPerMonth };
  if (net?.mode === "economy" && net.packId && net.economyModelId)
    return { mode: "economy", modelId: net.economyModelId, packId: net.packId, maxPacksPerMonth: net.maxPacksPerMonth };
  return { mode: "stop" };
}
