"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { catalogOptions } from "@/lib/server/wiring";
import { getCatalog } from "@/lib/catalog";
import { familyRoutesInput, getFamilyRoutes, setFamilyRoutes } from "@/lib/routing";
import type { RouteSort } from "@/lib/routing";

// The family's route narrowing: only the family's owner reads or changes it (lib/routing/family.ts
// finds the family from the signed-in user, never from the input).

export type FamilyRoutesView = {
  only: string[];
  ignore: string[];
  sort: RouteSort | null;
  updatedAt: string | null;
  providers: { id: string; name: string }[];
};

function providerChoices() {
  return getCatalog(catalogOptions())
    .providers.map((p) => ({ id: p.id, name: p.name }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

export const getMyFamilyRoutes = userAction<z.ZodObject<Record<string, never>>, { routes: FamilyRoutesView }>(z.object({}), async (_input, { db, user }) => {
  const r = await getFamilyRoutes(db, { ownerUserId: user.id });
  if (!r.ok) return r;
  return { ok: true as const, routes: { ...r.routes, updatedAt: r.routes.updatedAt?.toISOString() ?? null, providers: providerChoices() } };
});

export const setMyFamilyRoutes = userAction<typeof familyRoutesInput, { routes: FamilyRoutesView }>(familyRoutesInput, async (input, { db, user, now }) => {
  const r = await setFamilyRoutes(db, { ownerUserId: user.id, input, knownProviders: new Set(getCatalog(catalogOptions()).providers.map((p) => p.id)), now });
  if (!r.ok) return { ok: false as const, code: r.code, ...(r.provider ? { details: { provider: r.provider } } : {}) };
  return { ok: true as const, routes: { ...r.routes, updatedAt: r.routes.updatedAt?.toISOString() ?? null, providers: providerChoices() } };
});
