import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { avatarInitial, nicknameSchema, setNickname } from "./nickname";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createTestDb());
});
afterAll(async () => close());

describe("nickname", () => {
  it("is trimmed and 1–20 characters counted as people count them", () => {
    expect(nicknameSchema.parse("  小明  ")).toBe("小明");
    expect(nicknameSchema.safeParse("   ").success).toBe(false);
    expect(nicknameSchema.safeParse("一二三四五六七八九十一二三四五六七八九十").success).toBe(true);
    expect(nicknameSchema.safeParse("一二三四五六七八九十一二三四五六七八九十一").success).toBe(false);
    // 20 emoji are 40 UTF-16 units but 20 characters.
    expect(nicknameSchema.safeParse("😀".repeat(20)).success).toBe(true);
  });

  it("refuses control characters, line separators and bidi overrides", () => {
    for (const bad of ["小\u0000明", "a\nb", "tab\there", "x\u0007", "名\u2028字", "\u202Eevil"]) {
      const r = nicknameSchema.safeParse(bad);
      expect(r.success, JSON.stringify(bad)).toBe(false);
    }
  });

  it("is stored on the user's own row only, and the avatar takes its first character", async () => {
    const [a] = await db.insert(user).values({ phone: "13911112222" }).returning();
    const [b] = await db.insert(user).values({ phone: "13911113333", name: "老王" }).returning();
    expect(await setNickname(db, { userId: a!.id, nickname: " 阿明 " })).toBe("阿明");
    const [ra] = await db.select().from(user).where(eq(user.id, a!.id));
    const [rb] = await db.select().from(user).where(eq(user.id, b!.id));
    expect(ra!.name).toBe("阿明");
    expect(rb!.name).toBe("老王");
    await expect(setNickname(db, { userId: a!.id, nickname: "a\u0000" })).rejects.toThrow();
    expect(avatarInitial({ name: ra!.name, phone: ra!.phone })).toBe("阿");
    expect(avatarInitial({ name: "😀abc", phone: "1" })).toBe("😀");
    expect(avatarInitial({ name: null, phone: "13911112222" })).toBe("2");
  });
});
