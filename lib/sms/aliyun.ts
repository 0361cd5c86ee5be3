import type { SmsKind, SmsTransport } from "./index";
import { DomainError } from "@/lib/core/errors";

export type AliyunSmsOptions = {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** template code per kind; a kind without one cannot be sent */
  templates: Partial<Record<SmsKind, string>>;
  /** host (dysmsapi.aliyuncs.com) or full URL (http://127.0.0.1:8080) of the SMS API */
  endpoint?: string;
  timeoutMs?: number;
};

type SendSmsResult = { body?: { code?: string; message?: string; bizId?: string; requestId?: string } };
type AliyunClient = { sendSms(request: unknown): Promise<SendSmsResult> };

// The SDK ships CommonJS with `exports.default`; bundlers and Node's loader wrap it differently.
function unwrap<T>(mod: unknown): T {
  const m = mod as { default?: { default?: unknown } & object };
  return ((m.default as { default?: unknown } | undefined)?.default ?? m.default ?? mod) as T;
}

/** Splits an endpoint setting into the SDK's host and protocol. */
export function parseAliyunEndpoint(endpoint: string | undefined): { endpoint: string; protocol: "http" | "https" } {
  if (!endpoint) return { endpoint: "dysmsapi.aliyuncs.com", protocol: "https" };
  if (!endpoint.includes("://")) return { endpoint, protocol: "https" };
  const u = new URL(endpoint);
  return { endpoint: u.host, protocol: u.protocol === "http:" ? "http" : "https" };
}

/** Aliyun refused or could not be reached: the user sees "sms_unavailable"; the log keeps the reason. */
class AliyunSmsError extends DomainError<"sms_unavailable"> {
  constructor(message: string) {
    super("sms_unavailable", message);
    this.name = "AliyunSmsError";
  }
}

/**
 * Delivers through Alibaba Cloud SMS (SendSms) with the official SDK. The text itself is the
 * approved template of the kind; a one-time code goes as the template parameter `code`. The
 * message id goes as OutId (shown in delivery receipts). Not retried: SendSms has no
 * idempotency key, and a retried timeout could text the code twice.
 */
export function aliyunTransport(opts: AliyunSmsOptions): SmsTransport {
  let client: Promise<{ client: AliyunClient; Request: new (init: Record<string, unknown>) => unknown }> | undefined;
  const load = () =>
    (client ??= (async () => {
      const [sms, openapi] = await Promise.all([import("@alicloud/dysmsapi20170525"), import("@alicloud/openapi-client")]);
      const Client = unwrap<new (config: unknown) => AliyunClient>(sms);
      const { Config } = openapi as unknown as { Config: new (init: Record<string, unknown>) => unknown };
      const { endpoint, protocol } = parseAliyunEndpoint(opts.endpoint);
      const timeout = opts.timeoutMs ?? 5_000;
      const config = new Config({
        accessKeyId: opts.accessKeyId,
        accessKeySecret: opts.accessKeySecret,
        endpoint,
        protocol,
        connectTimeout: timeout,
        readTimeout: timeout,
      });
      const { SendSmsRequest } = sms as unknown as { SendSmsRequest: new (init: Record<string, unknown>) => unknown };
      return { client: new Client(config), Request: SendSmsRequest };
    })());
  return {
    async deliver(message) {
      const templateCode = opts.templates[message.kind];
      if (!templateCode) throw new AliyunSmsError(`no Aliyun SMS template for ${message.kind}`);
      const { client: c, Request } = await load();
      const request = new Request({
        phoneNumbers: message.phone,
        signName: opts.signName,
        templateCode,
        ...(message.code ? { templateParam: JSON.stringify({ code: message.code }) } : {}),
        outId: message.id,
      });
      const res = await c.sendSms(request);
      // The error text can echo request parameters; log only the provider's code.
      if (res.body?.code !== "OK") throw new AliyunSmsError(`Aliyun SendSms refused: ${res.body?.code ?? "no code"}`);
    },
  };
}
