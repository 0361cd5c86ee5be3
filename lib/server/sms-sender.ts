import type { Database } from "@/lib/db/types";
import type { AppEnv } from "./env-schema";
import { consoleTransport, recordingSender, type SmsSender, type SmsTransport } from "@/lib/sms";
import { httpTransport } from "@/lib/sms/http";
import { aliyunTransport } from "@/lib/sms/aliyun";

export type SmsEnv = Pick<
  AppEnv,
  | "SMS_SENDER"
  | "demoMode"
  | "SMS_HTTP_URL"
  | "SMS_HTTP_SECRET"
  | "ALIYUN_SMS_ACCESS_KEY_ID"
  | "ALIYUN_SMS_ACCESS_KEY_SECRET"
  | "ALIYUN_SMS_SIGN_NAME"
  | "ALIYUN_SMS_TEMPLATE_SIGN_IN"
  | "ALIYUN_SMS_TEMPLATE_PURCHASE"
  | "ALIYUN_SMS_TEMPLATE_INVITE"
  | "ALIYUN_SMS_TEMPLATE_ALERT"
  | "ALIYUN_SMS_TEMPLATE_NOTICE"
  | "ALIYUN_SMS_ENDPOINT"
>;

// One channel per parsed env: the Aliyun client keeps its connections.
const transports = new WeakMap<SmsEnv, SmsTransport>();

function transportFor(env: SmsEnv, log: (line: string) => void): SmsTransport {
  switch (env.SMS_SENDER) {
    case "console":
      return consoleTransport(log, { demoMode: env.demoMode });
    case "http":
      return httpTransport({ url: env.SMS_HTTP_URL!, secret: env.SMS_HTTP_SECRET! });
    case "aliyun":
      return aliyunTransport({
        accessKeyId: env.ALIYUN_SMS_ACCESS_KEY_ID!,
        accessKeySecret: env.ALIYUN_SMS_ACCESS_KEY_SECRET!,
        signName: env.ALIYUN_SMS_SIGN_NAME!,
        endpoint: env.ALIYUN_SMS_ENDPOINT,
        templates: {
          sign_in: env.ALIYUN_SMS_TEMPLATE_SIGN_IN,
          purchase: env.ALIYUN_SMS_TEMPLATE_PURCHASE,
          invite: env.ALIYUN_SMS_TEMPLATE_INVITE,
          alert: env.ALIYUN_SMS_TEMPLATE_ALERT,
          notice: env.ALIYUN_SMS_TEMPLATE_NOTICE,
        },
      });
  }
}

/**
 * The app's one place that picks how texts go out (SMS_SENDER), validated by lib/server/env-schema.ts.
 * Every channel records the message first (code masked outside demo mode).
 */
export function smsSenderFromEnv(env: SmsEnv, db: Database, opts: { log?: (line: string) => void } = {}): SmsSender {
  let transport = opts.log ? undefined : transports.get(env);
  if (!transport) {
    transport = transportFor(env, opts.log ?? console.log);
    if (!opts.log) transports.set(env, transport);
  }
  return recordingSender(db, transport, { demoMode: env.demoMode });
}
