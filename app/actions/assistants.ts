"use server";
import { z } from "zod";
import { userAction } from "@/lib/server/actions";
import { fail } from "@/lib/core/errors";
import { assistantInput, createAssistant, deleteAssistant, updateAssistant, type ResolvedAssistant } from "@/lib/chat/assistants";
import { chatModelList } from "@/lib/chat";
import { routeOptions } from "@/lib/server/wiring";

export type AssistantView = Omit<ResolvedAssistant, "name" | "description" | "openingLine"> & { name: string; description: string; openingLine: string };

function view(a: ResolvedAssistant): AssistantView {
  return { ...a, name: a.name ?? "", description: a.description ?? "", openingLine: a.openingLine ?? "" };
}

/** A model the chat can call right now (catalog listed and routable). */
function callable(modelId: string): boolean {
  return chatModelList(routeOptions()).some((m) => m.id === modelId);
}

const updateInput = assistantInput.extend({ id: z.string().uuid() });

export const createMyAssistant = userAction<typeof assistantInput, { assistant: AssistantView }>(assistantInput, async (input, { db, user, now }) => {
  if (!callable(input.modelId)) return fail("unknown_model");
  return { ok: true as const, assistant: view(await createAssistant(db, { userId: user.id, input, now })) };
});

export const updateMyAssistant = userAction<typeof updateInput, { assistant: AssistantView }>(updateInput, async ({ id, ...input }, { db, user, now }) => {
  if (!callable(input.modelId)) return fail("unknown_model");
  return { ok: true as const, assistant: view(await updateAssistant(db, { userId: user.id, id, input, now })) };
});

export const deleteMyAssistant = userAction(z.object({ id: z.string().uuid() }), async ({ id }, { db, user }) => {
  await deleteAssistant(db, { userId: user.id, id });
  return { ok: true as const };
});
