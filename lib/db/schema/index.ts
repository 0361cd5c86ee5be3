export * from "./auth";
export * from "./ledger";
export * from "./apikeys";
export * from "./support";
export * from "./family";
export * from "./plans";
export * from "./chat";
export * from "./bucket-kinds";
