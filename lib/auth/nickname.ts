import { eq } from "drizzle-orm";
import { z } from "zod";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";

export const NICKNAME_MAX = 20;

// Control characters, line/paragraph separators and bidi overrides: invisible or able to
// disguise a name shown to family members and staff.
const HIDDEN = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

/** A nickname: trimmed, 1–20 characters (code points, so 20 汉字 or emoji fit), nothing hidden. */
export const nicknameSchema = z
  .string()
  .trim()
  .min(1, { message: "nickname_empty" })
  .refine((s) => Array.from(s).length <= NICKNAME_MAX, { message: "nickname_too_long" })
  .refine((s) => !HIDDEN.test(s), { message: "nickname_invalid" });

/** Sets the user's own display name (their avatar's initial comes from it). */
export async function setNickname(db: Database, { userId, nickname }: { userId: string; nickname: string }): Promise<string> {
  const name = nicknameSchema.parse(nickname);
  await db.update(user).set({ name }).where(eq(user.id, userId));
  return name;
}

/** The avatar's letter: the nickname's first character, else the phone's last digit. */
export function avatarInitial({ name, phone }: { name: string | null; phone: string }): string {
  const first = name ? Array.from(name.trim())[0] : undefined;
  return first ?? phone.slice(-1);
}
