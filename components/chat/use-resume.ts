"use client";
import { useEffect, useRef, useState } from "react";
import type { ChatStreamEvent, DoneEvent } from "@/lib/chat/wire";
import type { ChatMessageView } from "./types";

/** The resume route's server-sent events (`data: <event JSON>` each), until the stream ends. */
export async function* followReplyEvents(conversationId: string, replyId: string, signal: AbortSignal): AsyncGenerator<ChatStreamEvent> {
  const res = await fetch(`/api/chat/${conversationId}/live?reply=${encodeURIComponent(replyId)}`, { signal, cache: "no-store" });
  if (!res.ok || !res.body) return;
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let buf = "";
  for (;;) {
    const { value, done } = await reader.read();
    if (done) return;
    buf += value;
    for (let i = buf.indexOf("\n\n"); i >= 0; i = buf.indexOf("\n\n")) {
      const data = buf
        .slice(0, i)
        .split("\n")
        .filter((l) => l.startsWith("data: "))
        .map((l) => l.slice(6))
        .join("\n");
      buf = buf.slice(i + 2);
      if (data) yield JSON.parse(data) as ChatStreamEvent;
    }
  }
}

/**
 * Follows a reply whose own stream broke to its end, retrying while the network is away (about a
 * minute in all). `onText` gets the whole text so far. Null when it could not be reached.
 */
export async function followToEnd(conversationId: string, replyId: string, onText: (text: string) => void): Promise<DoneEvent | null> {
  for (let attempt = 0; attempt < 8; attempt++) {
    if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(1000 * 2 ** (attempt - 1), 15_000)));
    let text = "";
    let heard = false;
    try {
      for await (const ev of followReplyEvents(conversationId, replyId, new AbortController().signal)) {
        heard = true;
        if (ev.type === "text") onText((text += ev.text));
        else if (ev.type === "done") return ev;
      }
      // Answered without the reply (gone, signed out): nothing to wait for.
      if (!heard) return null;
    } catch {
      // Still offline: try again.
    }
  }
  return null;
}

export type ResumeHandlers = {
  /** Following starts: the screen is busy, the reply shows its stored text so far. */
  begin(m: ChatMessageView): void;
  /** The reply's request id (what Stop names). */
  started(requestId: string): void;
  /** The whole text so far. */
  text(text: string): void;
  /** The reply ended (done), or the stream broke first (null). */
  end(replyId: string, done: DoneEvent | null, text: string): void;
};

/**
 * A conversation opened while its last reply is still generating on the server (its tab closed,
 * or another device sent it): follows it live to its end. True while following.
 */
export function useResumeReply(conversationId: string | null, initial: ChatMessageView[], handlers: ResumeHandlers): boolean {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });
  const last = initial[initial.length - 1];
  const replyId = conversationId && last?.role === "assistant" && last.streaming ? last.id : null;
  const [following, setFollowing] = useState(replyId !== null);
  useEffect(() => {
    if (!conversationId || !replyId) return;
    const m = initial[initial.length - 1]!;
    const ac = new AbortController();
    void (async () => {
      latest.current.begin(m);
      let text = "";
      let done: DoneEvent | null = null;
      try {
        for await (const ev of followReplyEvents(conversationId, replyId, ac.signal)) {
          if (ev.type === "start") latest.current.started(ev.requestId);
          else if (ev.type === "text") latest.current.text((text += ev.text));
          else done = ev;
        }
      } catch {
        // The connection broke or the screen closed: the reply itself goes on on the server.
      }
      if (ac.signal.aborted) return;
      latest.current.end(replyId, done, text || m.content);
      setFollowing(false);
    })();
    return () => ac.abort();
    // Once per opened conversation (the screen is keyed by it).
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [conversationId, replyId]);
  return following;
}
