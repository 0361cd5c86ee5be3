import type { Database } from "@/lib/db/types";
import { smsMessage } from "@/lib/db/schema";

export type SmsKind = "sign_in" | "purchase" | "invite" | "alert" | "notice";

/** Anything that can deliver a text to a phone. */
export interface SmsSender {
  send(message: { phone: string; body: string; kind: SmsKind }): Promise<void>;
}

/**
 * The default sender: logs the text and records it, so the dev inbox (/dev/sms) can show it.
 * A carrier gateway would implement SmsSender the same way and still record the message.
 */
export function consoleSender(db: Database, log: (line: string) => void = console.log): SmsSender {
  return {
    async send({ phone, body, kind }) {
      await db.insert(smsMessage).values({ phone, body, kind });
      log(`[sms] to ${phone}: ${body}`);
    },
  };
}
