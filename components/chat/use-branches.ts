"use client";
import { useMemo, useState } from "react";
import { currentLeaf, pathTo, siblingPositions } from "@/lib/chat/branches";
import type { ChatMessageView } from "./types";

/** Every message of the conversation (all branches, creation order) and the leaf on screen. */
export type BranchState = { tree: ChatMessageView[]; leaf: string | null };

/**
 * The chat screen's messages as a tree: `messages` is the branch on screen (first message to the
 * leaf, the same row objects as in the tree, so unchanged rows keep their props) and `positions`
 * each message's place among its siblings, for "‹ 2/3 ›".
 */
export function useBranches(initial: ChatMessageView[], initialLeaf: string | null | undefined) {
  const [state, setState] = useState<BranchState>(() => ({ tree: initial, leaf: currentLeaf(initial, initialLeaf) }));
  const messages = useMemo(() => pathTo(state.tree, state.leaf), [state.tree, state.leaf]);
  const positions = useMemo(() => siblingPositions(state.tree), [state.tree]);
  return { state, setState, messages, positions };
}
