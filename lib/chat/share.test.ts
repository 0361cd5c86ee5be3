import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { conversation, message, user } from "@/lib/db/schema";
import { getShare, newShareToken, readSharedConversation, revokeShare, shareConversation } from "./share";
import { exportConversation, exportFilename, exportMarkdown } from "./export";

let db: Database;
let close: () => Promise<void>;
let owner: string;
let other: string;
let convo: string;
let last: string | null = null;
const T0 = new Date("2026-05-01T00:00:00Z");
const at = (s: number) => new Date(T0.getTime() + s * 1000);

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  [owner, other] = (
    await db
      .insert(user)
      .values([
        { phone: "13933330001", name: "张三" },
        { phone: "13933330002", name: "李四" },
      ])
      .returning()
  ).map((u) => u.id);
  const [c] = await db.insert(conversation).values({ ownerUserId: owner, title: "排序算法", createdAt: T0, updatedAt: T0 }).returning();
  convo = c!.id;
  const rows = [
    { role: "user" as const, content: "写一个快速排序", s: 1 },
    { role: "assistant" as const, content: "```python\ndef qs(a):\n    return a\n```", s: 2, planTokens: 1234n },
  ];
  // Each message follows the one before it (one branch).
  for (const r of rows) {
    const [m] = await db
      .insert(message)
      .values({
        conversationId: convo,
        ownerUserId: owner,
        parentId: last,
        role: r.role,
        content: r.content,
        modelId: "deepseek-chat",
        requestId: `q:${r.s}:${r.role}`,
        planTokens: r.planTokens ?? null,
        createdAt: at(r.s),
      })
      .returning({ id: message.id });
    last = m!.id;
  }
});
afterAll(async () => close());

describe("share links", () => {
  it("tokens are 32 url-safe characters and never repeat", () => {
    const seen = new Set(Array.from({ length: 200 }, newShareToken));
    expect(seen.size).toBe(200);
    for (const t of seen) expect(t).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });

  it("only the owner can share, and sharing twice gives the same live link", async () => {
    await expect(shareConversation(db, { userId: other, conversationId: convo, now: at(10) })).rejects.toMatchObject({ code: "not_found" });
    await expect(getShare(db, { userId: other, conversationId: convo })).rejects.toMatchObject({ code: "not_found" });
    const a = await shareConversation(db, { userId: owner, conversationId: convo, now: at(10) });
    const b = await shareConversation(db, { userId: owner, conversationId: convo, now: at(11) });
    expect(b.token).toBe(a.token);
  });

  it("shows the turns written before sharing, without account data or costs", async () => {
    const { token } = (await getShare(db, { userId: owner, conversationId: convo }))!;
    // A turn after the link was made stays private.
    await db.insert(message).values({
      conversationId: convo,
      ownerUserId: owner,
      parentId: last,
      role: "user",
      content: "这句是分享之后写的",
      modelId: "deepseek-chat",
      requestId: "q:later",
      createdAt: at(20),
    });
    const shared = await readSharedConversation(db, token);
    expect(shared).not.toBeNull();
    expect(shared!.title).toBe("排序算法");
    expect(shared!.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
    const text = JSON.stringify(shared);
    for (const secret of ["13933330001", "张三", owner, convo, "1234", "planTokens", "这句是分享之后写的"]) expect(text).not.toContain(secret);
  });

  it("a revoked, unknown or malformed token reads as nothing; another user cannot revoke", async () => {
    const { token } = (await getShare(db, { userId: owner, conversationId: convo }))!;
    await expect(revokeShare(db, { userId: other, conversationId: convo, now: at(30) })).rejects.toMatchObject({ code: "not_found" });
    expect(await readSharedConversation(db, token)).not.toBeNull();
    expect(await revokeShare(db, { userId: owner, conversationId: convo, now: at(30) })).toBe(true);
    expect(await readSharedConversation(db, token)).toBeNull();
    expect(await getShare(db, { userId: owner, conversationId: convo })).toBeNull();
    expect(await readSharedConversation(db, newShareToken())).toBeNull();
    expect(await readSharedConversation(db, "' or 1=1 --")).toBeNull();
    // Sharing again makes a new link; the old one stays dead.
    const again = await shareConversation(db, { userId: owner, conversationId: convo, now: at(40) });
    expect(again.token).not.toBe(token);
    expect(await readSharedConversation(db, token)).toBeNull();
    expect(await readSharedConversation(db, again.token)).not.toBeNull();
  });
});

describe("export", () => {
  it("the owner gets every turn as JSON and Markdown; another user gets not_found", async () => {
    await expect(exportConversation(db, { userId: other, conversationId: convo, now: at(50), modelName: (m) => m })).rejects.toMatchObject({
      code: "not_found",
    });
    const data = await exportConversation(db, { userId: owner, conversationId: convo, now: at(50), modelName: () => "DeepSeek Chat" });
    expect(data.messages.map((m) => [m.role, m.content.slice(0, 6)])).toEqual([
      ["user", "写一个快速排"],
      ["assistant", "```pyt"],
      ["user", "这句是分享之"],
    ]);
    expect(data.messages[1]!.planTokens).toBe("1234");
    expect(data.assistant).toBeNull();
    const md = exportMarkdown(data, { you: "你", untitled: "对话" });
    expect(md).toBe("# 排序算法\n\n## 你\n\n写一个快速排序\n\n## DeepSeek Chat\n\n```python\ndef qs(a):\n    return a\n```\n\n## 你\n\n这句是分享之后写的\n");
    expect(exportFilename('a/b:c*"d', "md")).toBe("abcd.md");
    expect(exportFilename("  ", "json")).toBe("conversation.json");
  });
});
