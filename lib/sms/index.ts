import type { Database } from "@/lib/db/types";
import { smsMessage } from "@/lib/db/schema";

export type SmsKind = "sign_in" | "purchase" | "invite" | "alert" | "notice";

/** A text to send. `code` is the one-time code inside `body`, if any: kept out of logs and tables. */
export type OutgoingSms = { phone: string; body: string; kind: SmsKind; code?: string };

/** Anything that can deliver a text to a phone. */
export interface SmsSender {
  send(message: OutgoingSms): Promise<void>;
}

/** One delivery channel. `id` is the recorded message's id: the channel's idempotency key. */
export interface SmsTransport {
  deliver(message: OutgoingSms & { id: string }): Promise<void>;
}

const MASK = "******";

/** The body with its code masked, for anything that outlives the message (logs, tables). */
export function redactBody(message: Pick<OutgoingSms, "body" | "code">): string {
  return message.code ? message.body.split(message.code).join(MASK) : message.body;
}

/**
 * Records every message (outside demo mode with its code masked), then hands it to the channel
 * with the record's id. The dev inbox (/dev/sms, demo mode only) reads the records.
 */
export function recordingSender(db: Database, transport: SmsTransport, { demoMode }: { demoMode: boolean }): SmsSender {
  return {
    async send(message) {
      const body = demoMode ? message.body : redactBody(message);
      const [row] = await db.insert(smsMessage).values({ phone: message.phone, body, kind: message.kind }).returning({ id: smsMessage.id });
      await transport.deliver({ ...message, id: row!.id });
    },
  };
}

/** Logs the text: whole in demo mode (the demo shows codes), with the code masked otherwise. */
export function consoleTransport(log: (line: string) => void, { demoMode }: { demoMode: boolean }): SmsTransport {
  return {
    async deliver(message) {
      log(`[sms] to ${message.phone}: ${demoMode ? message.body : redactBody(message)}`);
    },
  };
}

/**
 * The development sender: logs the text and records it. Codes show only in demo mode; it is
 * refused in production outside demo mode (the env schema), where `http` or `aliyun` deliver.
 */
export function consoleSender(db: Database, log: (line: string) => void = console.log, { demoMode = false }: { demoMode?: boolean } = {}): SmsSender {
  return recordingSender(db, consoleTransport(log, { demoMode }), { demoMode });
}
