"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { nicknameSchema, setNickname } from "@/lib/auth/nickname";

/** Sets the signed-in user's own nickname (the user comes from the session, never the input). */
export const setMyNickname = userAction(z.object({ nickname: nicknameSchema }), async ({ nickname }, { db, user }) => {
  const name = await setNickname(db, { userId: user.id, nickname });
  return { ok: true as const, name };
});
