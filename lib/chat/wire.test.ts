import { expectTypeOf, it } from "vitest";
import type { Message } from "@/lib/db/schema";
import type { ReplyStatus } from "./wire";

it("the wire's reply status is the message table's status of a finished reply", () => {
  expectTypeOf<ReplyStatus | "streaming">().toEqualTypeOf<Message["status"]>();
});
