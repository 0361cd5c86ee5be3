// Metering: counting tokens and turning them into plan tokens with a model's weights.
export { countTokens, countChatTokens, type ChatMessage, type ChatContent } from "./tokens";
export { planTokens, estimateHold, defaultWeightsFor, DEFAULT_WEIGHTS, FALLBACK_WEIGHTS, MICRO, type Weights } from "./weights";
export { chargeForStream, type StreamCharge } from "./charge";
