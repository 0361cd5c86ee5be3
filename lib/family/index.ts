export * from "./family";
export * from "./usage";
export * from "./limits";
