import { expectTypeOf, it } from "vitest";
import type { Message } from "@/lib/db/schema";
import type { ReplyStatus } from "./wire";

it("the wire's reply status is the message table's status", () => {
  expectTypeOf<ReplyStatus>().toEqualTypeOf<Message["status"]>();
});
