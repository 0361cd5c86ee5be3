import { createHmac } from "node:crypto";
import type { SmsTransport } from "./index";
import { DomainError } from "@/lib/core/errors";

export const SIGNATURE_HEADER = "x-unitoken-signature";
export const TIMESTAMP_HEADER = "x-unitoken-timestamp";
export const IDEMPOTENCY_HEADER = "idempotency-key";

/** Hex HMAC-SHA256 of the exact body bytes. The body carries the timestamp too, so it is signed. */
export function signSmsBody(secret: string, body: string): string {
  return createHmac("sha256", secret).update(body).digest("hex");
}

export type HttpSmsOptions = {
  url: string;
  secret: string;
  /** per attempt */
  timeoutMs?: number;
  attempts?: number;
  /** waits between attempts, ms */
  backoffMs?: number[];
  fetch?: typeof fetch;
  nowMs?: () => number;
};

/** The text could not be delivered: the user sees "sms_unavailable"; the log keeps the reason. */
class SmsDeliveryError extends DomainError<"sms_unavailable"> {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super("sms_unavailable", message);
    this.name = "SmsDeliveryError";
  }
}

/**
 * Delivers through an SMS platform's HTTP endpoint (a carrier's own platform, or a bridge to
 * one): a JSON POST signed with HMAC-SHA256 of the body (`x-unitoken-signature: sha256=<hex>`),
 * the time in seconds in `x-unitoken-timestamp` and in the body, the message id as
 * `idempotency-key` (and `id`), so a retried request is sent once. A 2xx is success; a 4xx other
 * than 408/429 fails at once; timeouts (5 s), network errors and other statuses are retried.
 */
export function httpTransport(opts: HttpSmsOptions): SmsTransport {
  const timeoutMs = opts.timeoutMs ?? 5_000;
  const attempts = opts.attempts ?? 3;
  const backoff = opts.backoffMs ?? [250, 1_000];
  const doFetch = opts.fetch ?? fetch;
  const nowMs = opts.nowMs ?? Date.now;
  return {
    async deliver(message) {
      let last: unknown;
      for (let attempt = 1; attempt <= attempts; attempt++) {
        const timestamp = String(Math.floor(nowMs() / 1000));
        const body = JSON.stringify({
          id: message.id,
          phone: message.phone,
          kind: message.kind,
          text: message.body,
          ...(message.code ? { params: { code: message.code } } : {}),
          timestamp,
        });
        try {
          const res = await doFetch(opts.url, {
            method: "POST",
            headers: {
              "content-type": "application/json",
              [SIGNATURE_HEADER]: `sha256=${signSmsBody(opts.secret, body)}`,
              [TIMESTAMP_HEADER]: timestamp,
              [IDEMPOTENCY_HEADER]: message.id,
            },
            body,
            signal: AbortSignal.timeout(timeoutMs),
          });
          await res.body?.cancel().catch(() => {});
          if (res.ok) return;
          const retryable = res.status >= 500 || res.status === 408 || res.status === 429;
          last = new SmsDeliveryError(`SMS endpoint answered ${res.status}`, retryable);
          if (!retryable) break;
        } catch (err) {
          last = new SmsDeliveryError(`SMS endpoint unreachable (${(err as Error)?.name ?? "error"})`, true);
        }
        if (attempt < attempts) await new Promise((r) => setTimeout(r, backoff[Math.min(attempt - 1, backoff.length - 1)] ?? 0));
      }
      throw last;
    },
  };
}
