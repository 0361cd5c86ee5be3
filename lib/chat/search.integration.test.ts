import { afterAll, beforeAll, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createPgTestDb } from "@/lib/testing/pg-db";
import type { Database } from "@/lib/db/types";
import { conversation, message, user } from "@/lib/db/schema";
import { queryRows } from "@/lib/db/sql";
import { likePattern, searchConversations } from "./search";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createPgTestDb());
});
afterAll(async () => close?.());

it("on PostgreSQL: the migrations create pg_trgm, Chinese substrings match through the trigram index, only one's own", async () => {
  const [a, b] = await db
    .insert(user)
    .values([{ phone: "13944440001" }, { phone: "13944440002" }])
    .returning();
  for (const [owner, text] of [
    [a!.id, "周末去杭州西湖骑行的路线"],
    [b!.id, "杭州西湖骑行 别人的秘密"],
  ] as const) {
    const [c] = await db.insert(conversation).values({ ownerUserId: owner, title: "出行" }).returning();
    await db
      .insert(message)
      .values({ conversationId: c!.id, ownerUserId: owner, role: "user", content: text, modelId: "deepseek-chat", requestId: `${c!.id}:u` });
  }
  const ext = await queryRows<{ extname: string }>(db, sql`select extname from pg_extension where extname = 'pg_trgm'`);
  expect(ext).toHaveLength(1);
  const hits = await searchConversations(db, { userId: a!.id, query: "西湖骑行" });
  expect(hits).toHaveLength(1);
  expect(hits[0]!.snippet?.find((p) => p.hit)?.text).toBe("西湖骑行");
  expect(await searchConversations(db, { userId: a!.id, query: "别人的秘密" })).toEqual([]);
  // The planner can serve the content search from the trigram index.
  const plan = await db.transaction(async (tx) => {
    await tx.execute(sql`set local enable_seqscan = off`);
    return queryRows<{ "QUERY PLAN": string }>(tx, sql`explain select id from message where content ilike ${likePattern("西湖骑行")}`);
  });
  expect(plan.map((r) => r["QUERY PLAN"]).join("\n")).toContain("message_content_trgm");
});
