/**
 * A conversation's messages form a tree: each message names the one it follows (`parentId`), an
 * edited question is a sibling of the original and a regenerated reply a sibling of the earlier
 * reply. What is on screen, and what is sent to a model, is one path from a first message down to
 * a leaf. Pure functions over rows in creation order (the order listMessages returns), shared by
 * the server (history, quote, share, export) and the chat screen (‹ 2/3 ›); they import nothing.
 */

export type TreeNode = { id: string; parentId?: string | null };

/** The messages from the first one down to `leafId`, or [] when `leafId` is not in `nodes`. */
export function pathTo<T extends TreeNode>(nodes: readonly T[], leafId: string | null | undefined): T[] {
  if (!leafId) return [];
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const path: T[] = [];
  const seen = new Set<string>();
  for (let n = byId.get(leafId); n; n = n.parentId ? byId.get(n.parentId) : undefined) {
    // A cycle cannot be written (a parent exists before its child), but never loop on bad data.
    if (seen.has(n.id)) break;
    seen.add(n.id);
    path.push(n);
  }
  return path.reverse();
}

/** The newest message at or below `id` (creation order): where a branch continues when it is switched to. */
export function newestLeafUnder<T extends TreeNode>(nodes: readonly T[], id: string): string {
  const below = new Set([id]);
  let newest = id;
  // Creation order puts every parent before its children, so one pass finds the whole subtree.
  for (const n of nodes) {
    if (n.parentId && below.has(n.parentId)) {
      below.add(n.id);
      newest = n.id;
    }
  }
  return newest;
}

/** The leaf on screen: the stored one when it is still in the tree, else the newest message. */
export function currentLeaf<T extends TreeNode>(nodes: readonly T[], stored: string | null | undefined): string | null {
  if (stored && nodes.some((n) => n.id === stored)) return stored;
  return nodes.length > 0 ? nodes[nodes.length - 1]!.id : null;
}

/** The message and its siblings (same parent), in creation order. */
export function siblingsOf<T extends TreeNode>(nodes: readonly T[], id: string): T[] {
  const me = nodes.find((n) => n.id === id);
  if (!me) return [];
  const parent = me.parentId ?? null;
  return nodes.filter((n) => (n.parentId ?? null) === parent);
}

/** Per message id: its place among its siblings (1-based) and how many there are. */
export function siblingPositions<T extends TreeNode>(nodes: readonly T[]): Map<string, { index: number; count: number }> {
  const groups = new Map<string | null, string[]>();
  for (const n of nodes) {
    const k = n.parentId ?? null;
    const g = groups.get(k);
    if (g) g.push(n.id);
    else groups.set(k, [n.id]);
  }
  const out = new Map<string, { index: number; count: number }>();
  for (const ids of groups.values()) ids.forEach((id, i) => out.set(id, { index: i + 1, count: ids.length }));
  return out;
}

/**
 * The leaf to show after moving from `id` to its previous (-1) or next (+1) sibling: the newest
 * message of that sibling's branch. Null when there is no sibling that way.
 */
export function switchSibling<T extends TreeNode>(nodes: readonly T[], id: string, step: -1 | 1): string | null {
  const sibs = siblingsOf(nodes, id);
  const i = sibs.findIndex((n) => n.id === id);
  const to = sibs[i + step];
  return to ? newestLeafUnder(nodes, to.id) : null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** A stored message's id (the screen's optimistic rows have other ids until the server names them). */
export function isStoredId(id: string | null | undefined): id is string {
  return !!id && UUID.test(id);
}
