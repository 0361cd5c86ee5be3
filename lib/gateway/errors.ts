import type { GatewayReply } from "./reply";

/** OpenAI-style error responses: `{ error: { message, type, param, code } }`. */
export type OpenAiErrorSpec = { status: number; type: string; code: string | null; message: string; param?: string | null };

/** The error as a reply; `headers` (lower-case names) are kept, the content headers set. */
export function openAiError(spec: OpenAiErrorSpec, headers: Record<string, string> = {}): GatewayReply {
  headers["content-type"] = "application/json";
  headers["x-content-type-options"] = "nosniff";
  return {
    status: spec.status,
    headers,
    body: JSON.stringify({ error: { message: spec.message, type: spec.type, param: spec.param ?? null, code: spec.code } }),
  };
}

/**
 * The event a stream ends with when the provider stopped it early: the 200 status is already
 * sent, so the error goes in the stream, with the outcome's code.
 */
export function midStreamErrorEvent(code: string | null | undefined): string {
  return `data: ${JSON.stringify({ error: { message: "The model provider stopped the stream early.", type: "api_error", param: null, code: code ?? "upstream_error" } })}\n\n`;
}

/** The one mapper from domain failure codes to the OpenAI status, type and code a client expects. */
export function errorFor(code: string, details?: { message?: string; param?: string }): OpenAiErrorSpec {
  const m = details?.message;
  switch (code) {
    case "missing_api_key":
      return {
        status: 401,
        type: "invalid_request_error",
        code: "invalid_api_key",
        message: m ?? "You didn't provide an API key. Send it as `Authorization: Bearer ut-...`.",
      };
    case "invalid_api_key":
      return { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: m ?? "Incorrect API key provided." };
    case "key_revoked":
      return { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: m ?? "This API key has been revoked." };
    case "key_expired":
      return { status: 401, type: "invalid_request_error", code: "invalid_api_key", message: m ?? "This API key has expired." };
    case "insufficient_balance":
      return {
        status: 429,
        type: "insufficient_quota",
        code: "insufficient_quota",
        message: m ?? "Your Unitoken balance is too low for this request. Top up or upgrade your plan.",
      };
    case "cap_reached":
      return {
        status: 429,
        type: "insufficient_quota",
        code: "insufficient_quota",
        message: m ?? "You have reached the monthly cap the family owner set for you.",
      };
    case "daily_cap_reached":
      return {
        status: 429,
        type: "insufficient_quota",
        code: "insufficient_quota",
        message: m ?? "You have reached the daily cap the family payer set for you.",
      };
    case "quiet_hours":
      return { status: 403, type: "permission_error", code: "quiet_hours", message: m ?? "It is quiet hours, set by the family payer." };
    case "economy_only":
      return {
        status: 403,
        type: "invalid_request_error",
        code: "model_not_allowed",
        param: "model",
        message: m ?? "The family payer allows economical models only.",
      };
    case "member_paused":
      return { status: 429, type: "insufficient_quota", code: "insufficient_quota", message: m ?? "The family owner has paused your spending." };
    case "key_cap_reached":
      return { status: 429, type: "insufficient_quota", code: "insufficient_quota", message: m ?? "This API key has reached its monthly cap." };
    case "not_member":
      return { status: 403, type: "permission_error", code: "not_member", message: m ?? "You are no longer a member of the wallet this key spends from." };
    case "rate_limit_exceeded":
      return { status: 429, type: "requests", code: "rate_limit_exceeded", message: m ?? "Rate limit reached for requests on this API key." };
    case "unknown_model":
    case "model_not_found":
      return {
        status: 404,
        type: "invalid_request_error",
        code: "model_not_found",
        param: "model",
        message: m ?? "The model does not exist or you do not have access to it.",
      };
    case "model_not_allowed":
      return {
        status: 403,
        type: "invalid_request_error",
        code: "model_not_allowed",
        param: "model",
        message: m ?? "This API key is not allowed to use this model.",
      };
    case "model_unavailable":
      return { status: 503, type: "server_error", code: "model_unavailable", param: "model", message: m ?? "This model is temporarily unavailable." };
    case "context_too_long":
      return {
        status: 400,
        type: "invalid_request_error",
        code: "context_length_exceeded",
        param: "messages",
        message: m ?? "The messages exceed this model's context length.",
      };
    case "duplicate_request":
      return { status: 409, type: "invalid_request_error", code: "duplicate_request", message: m ?? "A request with this id was already made." };
    case "method_not_allowed":
      return { status: 405, type: "invalid_request_error", code: "method_not_allowed", message: m ?? "This method is not allowed on this endpoint." };
    case "request_too_large":
      return { status: 413, type: "invalid_request_error", code: "request_too_large", message: m ?? "The request body is too large." };
    case "invalid_request":
      return { status: 400, type: "invalid_request_error", code: "invalid_request", param: details?.param ?? null, message: m ?? "Invalid request." };
    case "upstream_error":
      return { status: 502, type: "api_error", code: "upstream_error", message: m ?? "The model provider returned an error." };
    default:
      return { status: 500, type: "api_error", code: "internal_error", message: m ?? "Internal error." };
  }
}
