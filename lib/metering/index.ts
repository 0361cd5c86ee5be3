// Metering: counting tokens and turning them into plan tokens with a model's weights.
export {
  countTokens,
  countChatTokens,
  countDefinitionTokens,
  definitionsText,
  chatTokensUpperBound,
  GrowingCount,
  TokenCountCache,
  type TextCounter,
  IMAGE_TOKENS,
  type ChatMessage,
  type ChatContent,
} from "./tokens";
export { planTokens, estimateHold, holdFor, defaultWeightsFor, DEFAULT_WEIGHTS, FALLBACK_WEIGHTS, MICRO, type Weights } from "./weights";
export { chargeForStream, type StreamCharge } from "./stream-charge";
export { weightMicro, planTokensFor, perThousand } from "./price-weights";
export { imageTokens, maxImageTokens, OPENAI_TILE_RULE, type ImageTokenRule } from "./image-tokens";
