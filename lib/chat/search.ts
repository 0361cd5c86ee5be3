import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/types";
import { queryRows } from "@/lib/db/sql";

export const SEARCH_QUERY_MAX = 100;
const SNIPPET_BEFORE = 24;
const SNIPPET_LENGTH = 96;

/** A piece of a snippet: `hit` marks the text that matched the query. */
export type SnippetPart = { text: string; hit: boolean };

export type SearchHit = {
  conversationId: string;
  title: string;
  /** The title split around the query (all one part without a hit when only the content matched). */
  titleParts: SnippetPart[];
  /** A piece of the newest matching message around its first hit; null when only the title matched. */
  snippet: SnippetPart[] | null;
  /** Who wrote the matching message. */
  role: "user" | "assistant" | null;
  updatedAt: Date;
};

/** `q` as a literal ILIKE pattern: its own %, _ and \ match themselves. */
export function likePattern(q: string): string {
  return `%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Splits `text` around every case-insensitive occurrence of `q`. */
export function highlight(text: string, q: string): SnippetPart[] {
  if (!q) return [{ text, hit: false }];
  const lower = text.toLowerCase();
  const needle = q.toLowerCase();
  const parts: SnippetPart[] = [];
  let from = 0;
  // Lowercasing keeps the length of the CJK and ASCII text searched here; where it would not
  // (a few special letters), the offsets still fall inside the string and only the mark shifts.
  for (let i = lower.indexOf(needle); i >= 0 && needle.length > 0; i = lower.indexOf(needle, from)) {
    if (i > from) parts.push({ text: text.slice(from, i), hit: false });
    parts.push({ text: text.slice(i, i + needle.length), hit: true });
    from = i + needle.length;
  }
  if (from < text.length) parts.push({ text: text.slice(from), hit: false });
  return parts;
}

/** A short window of `content` around the first occurrence of `q`, on one line, with ellipses. */
export function snippetAround(content: string, q: string): SnippetPart[] {
  const flat = content.replace(/\s+/g, " ").trim();
  const at = Math.max(0, flat.toLowerCase().indexOf(q.toLowerCase()));
  const start = Math.max(0, at - SNIPPET_BEFORE);
  const end = Math.min(flat.length, start + SNIPPET_LENGTH);
  const window = `${start > 0 ? "…" : ""}${flat.slice(start, end)}${end < flat.length ? "…" : ""}`;
  return highlight(window, q);
}

/**
 * Searches the user's own conversations by title and message text (case-insensitive substring,
 * Chinese included; trigram indexes serve queries of three characters or more). Only rows the
 * user owns are read: another user's text never matches. Newest conversations first.
 */
export async function searchConversations(
  db: Database,
  { userId, query, limit = 20 }: { userId: string; query: string; limit?: number },
): Promise<SearchHit[]> {
  const q = query.trim().slice(0, SEARCH_QUERY_MAX);
  if (!q) return [];
  const pattern = likePattern(q);
  const rows = await queryRows<{ id: string; title: string; updated_at: Date | string; content: string | null; role: "user" | "assistant" | null }>(
    db,
    sql`
      with hits as (
        select distinct on (m.conversation_id) m.conversation_id, m.content, m.role
        from message m
        where m.owner_user_id = ${userId} and m.content ilike ${pattern}
        order by m.conversation_id, m.created_at desc
      )
      select c.id, c.title, c.updated_at, h.content, h.role
      from conversation c
      left join hits h on h.conversation_id = c.id
      where c.owner_user_id = ${userId}
        and (c.title ilike ${pattern} or h.conversation_id is not null)
      order by c.updated_at desc
      limit ${Math.max(1, Math.min(limit, 50))}`,
  );
  return rows.map((r) => ({
    conversationId: r.id,
    title: r.title,
    titleParts: highlight(r.title, q),
    snippet: r.content === null ? null : snippetAround(r.content, q),
    role: r.role,
    updatedAt: new Date(r.updated_at),
  }));
}
