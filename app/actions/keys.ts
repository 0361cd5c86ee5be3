"use server";
import { z } from "zod";
import { revalidatePath } from "next/cache";
import { userAction } from "@/lib/server/actions";
import { createApiKey, revokeApiKey } from "@/lib/apikeys/keys";
import { getModel } from "@/lib/catalog";
import { catalogOptions } from "@/lib/server/wiring";
import { DomainError } from "@/lib/core/errors";
import { ROUTE_SORTS } from "@/lib/routing";

const createSchema = z.object({
  name: z.string().trim().min(1).max(60),
  models: z.array(z.string().min(1).max(200)).max(50).optional(),
  /** Plan tokens as a decimal string (bigints cross the wire as strings); null = no cap. */
  monthlyCapTokens: z
    .string()
    .regex(/^[1-9]\d{0,14}$/)
    .nullish(),
  expiresInDays: z.number().int().min(1).max(3650).nullish(),
  routeSort: z.enum(ROUTE_SORTS).nullish(),
});

/** Creates a key for the signed-in user; the full key text is returned this once only. */
export const createKey = userAction(createSchema, async (input, { db, user, now }) => {
  const catalog = catalogOptions();
  for (const m of input.models ?? []) {
    const model = getModel(m, catalog);
    if (!model || model.hidden) throw new DomainError("unknown_model", "no such model", { model: m });
  }
  const { key, text } = await createApiKey(db, {
    userId: user.id,
    name: input.name,
    models: input.models ?? null,
    monthlyCapTokens: input.monthlyCapTokens ? BigInt(input.monthlyCapTokens) : null,
    expiresAt: input.expiresInDays ? new Date(now.getTime() + input.expiresInDays * 86_400_000) : null,
    routeSort: input.routeSort ?? null,
    now,
  });
  revalidatePath("/keys");
  return { ok: true as const, key: { id: key.id, name: key.name }, text };
});

/** Revokes one of the signed-in user's keys; requests with it stop at once. */
export const revokeKey = userAction(z.object({ keyId: z.string().uuid() }), async ({ keyId }, { db, user, now }) => {
  await revokeApiKey(db, { userId: user.id, keyId, now });
  revalidatePath("/keys");
  return { ok: true as const };
});
