import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { conversation, message, user } from "@/lib/db/schema";
import { highlight, likePattern, searchConversations, snippetAround } from "./search";

let db: Database;
let close: () => Promise<void>;
let alice: string;
let bob: string;
const T0 = new Date("2026-05-01T00:00:00Z");

async function thread(owner: string, title: string, turns: ["user" | "assistant", string][], minutes: number) {
  const at = new Date(T0.getTime() + minutes * 60_000);
  const [c] = await db.insert(conversation).values({ ownerUserId: owner, title, createdAt: at, updatedAt: at }).returning();
  let i = 0;
  for (const [role, content] of turns) {
    await db.insert(message).values({
      conversationId: c!.id,
      ownerUserId: owner,
      role,
      content,
      modelId: "deepseek-chat",
      requestId: `${c!.id}:${i}:${role}`,
      createdAt: new Date(at.getTime() + i++ * 1000),
    });
  }
  return c!.id;
}

let compound: string;
let recipe: string;
let percent: string;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
  [alice, bob] = (
    await db
      .insert(user)
      .values([{ phone: "13922220001" }, { phone: "13922220002" }])
      .returning()
  ).map((u) => u.id);
  compound = await thread(
    alice,
    "理财问题",
    [
      ["user", "讲讲复利是怎么回事"],
      ["assistant", "复利就是利滚利：每一期的利息计入本金，下一期一起生息。"],
    ],
    1,
  );
  recipe = await thread(
    alice,
    "红烧肉做法",
    [
      ["user", "红烧肉怎么做才不腻？"],
      ["assistant", "先焯水，再炒糖色……"],
    ],
    2,
  );
  percent = await thread(
    alice,
    "Growth",
    [
      ["user", "What does 100% growth mean?"],
      ["assistant", "It doubled."],
    ],
    3,
  );
  // Bob's text contains everything Alice might search for.
  await thread(bob, "复利 红烧肉 Growth", [["user", "复利 红烧肉 100% 利滚利 secret-of-bob"]], 4);
});
afterAll(async () => close());

describe("searchConversations", () => {
  it("finds a Chinese substring in message text, with the snippet around it highlighted", async () => {
    const hits = await searchConversations(db, { userId: alice, query: "利滚利" });
    expect(hits.map((h) => h.conversationId)).toEqual([compound]);
    expect(hits[0]!.role).toBe("assistant");
    expect(hits[0]!.snippet?.filter((p) => p.hit).map((p) => p.text)).toEqual(["利滚利"]);
    expect(hits[0]!.snippet?.map((p) => p.text).join("")).toContain("复利就是利滚利");
  });

  it("finds two-character Chinese queries and titles, newest first", async () => {
    expect((await searchConversations(db, { userId: alice, query: "复利" })).map((h) => h.conversationId)).toEqual([compound]);
    const byTitle = await searchConversations(db, { userId: alice, query: "做法" });
    expect(byTitle.map((h) => h.conversationId)).toEqual([recipe]);
    expect(byTitle[0]!.snippet).toBeNull();
    expect(byTitle[0]!.titleParts).toEqual([
      { text: "红烧肉", hit: false },
      { text: "做法", hit: true },
    ]);
    // A word in both threads' text: the newer conversation first.
    const both = await searchConversations(db, { userId: alice, query: "怎么" });
    expect(both.map((h) => h.conversationId)).toEqual([recipe, compound]);
  });

  it("is case-insensitive and treats % and _ literally", async () => {
    expect((await searchConversations(db, { userId: alice, query: "GROWTH" })).map((h) => h.conversationId)).toEqual([percent]);
    expect((await searchConversations(db, { userId: alice, query: "100%" })).map((h) => h.conversationId)).toEqual([percent]);
    expect(await searchConversations(db, { userId: alice, query: "1_0" })).toEqual([]);
    expect((await searchConversations(db, { userId: alice, query: "%" })).map((h) => h.conversationId)).toEqual([percent]);
    expect(await searchConversations(db, { userId: alice, query: "   " })).toEqual([]);
  });

  it("never matches another user's text or titles", async () => {
    expect(await searchConversations(db, { userId: alice, query: "secret-of-bob" })).toEqual([]);
    const bobs = await searchConversations(db, { userId: bob, query: "复利" });
    expect(bobs).toHaveLength(1);
    expect(bobs[0]!.conversationId).not.toBe(compound);
    expect(await searchConversations(db, { userId: bob, query: "利滚利：" })).toEqual([]);
  });

  it("uses the trigram index for longer queries", async () => {
    await db.execute(sql`set enable_seqscan = off`);
    const plan = await db.execute(sql`explain select id from message where content ilike ${likePattern("利滚利")}`);
    await db.execute(sql`set enable_seqscan = on`);
    expect(JSON.stringify(plan)).toContain("message_content_trgm");
  });
});

describe("snippets", () => {
  it("cuts a window around the first hit with ellipses, on one line", () => {
    const text = `${"前".repeat(100)}\n关键词${"后".repeat(200)}`;
    const parts = snippetAround(text, "关键词");
    const joined = parts.map((p) => p.text).join("");
    expect(joined.startsWith("…")).toBe(true);
    expect(joined.endsWith("…")).toBe(true);
    expect(joined).not.toContain("\n");
    expect(parts.filter((p) => p.hit).map((p) => p.text)).toEqual(["关键词"]);
  });
  it("marks every occurrence", () => {
    expect(highlight("aXbxc", "x")).toEqual([
      { text: "a", hit: false },
      { text: "X", hit: true },
      { text: "b", hit: false },
      { text: "x", hit: true },
      { text: "c", hit: false },
    ]);
  });
});
