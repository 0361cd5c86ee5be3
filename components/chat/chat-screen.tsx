"use client";
import Link from "next/link";
import { useRouter } from "next/navigation";
import { memo, useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { ArrowUp, Menu, Plus, Square } from "lucide-react";
import { Dialog, DialogContent } from "@/components/ui/dialog";
import { BALANCE_QUERY_KEY } from "@/components/balance/balance-badge";
import type { BalanceView } from "@/app/actions/balance";
import { selectMyBranch, sendChatMessage, stopChatMessage } from "@/app/actions/chat";
import { isStoredId, switchSibling } from "@/lib/chat/branches";
import type { ChatStreamEvent, DoneEvent } from "@/lib/chat/wire";
import { cn } from "@/lib/cn";
import { ConversationList } from "./conversation-list";
import { ConversationActions } from "./conversation-actions";
import { ChatMessage } from "./message";
import { createLiveText, type LiveText } from "./live-text";
import { preloadMarkdown } from "./markdown";
import { createNearWatch, NearContext } from "./near";
import { KeepScrollOnPrepend, useFirstMounted } from "./older-rows";
import { ModelPicker } from "./model-picker";
import { ComposerQuote } from "./quote";
import { ComposerText, type ComposerHandle } from "./composer-text";
import { ConversationTotal } from "./conversation-total";
import { useSendConfirmation } from "./send-confirm";
import { newRequestId } from "./format";
import type { ChatMessageView, ConversationView, ModelView } from "./types";
import { AssistantIntro, StartedFrom, type AssistantStart } from "./assistant-intro";
import { AttachButton, AttachmentChips, useAttachments } from "./attachment-tray";
import { ATTACHMENT_CODES } from "./attachment-refusal";
import type { AttachmentChip } from "./types";
import { AskPayerFromChat } from "@/components/family/ask-payer-from-chat";
import { followToEnd, useResumeReply } from "./use-resume";
import { ResumeNotice } from "./resume-notice";
import { useBranches } from "./use-branches";
import { CompareToggle, useCompare } from "./use-compare";

type Props = {
  conversationId: string | null;
  title: string | null;
  /** Every message of the conversation, all branches, in creation order. */
  initialMessages: ChatMessageView[];
  /** The end of the branch on screen (default: the newest message). */
  initialLeafId?: string | null;
  conversations: ConversationView[];
  initialModel: ModelView;
  modelNames: Record<string, string>;
  /** A new chat started from an assistant (技能包): its opening line, and its ref sent with the first message. */
  assistant?: AssistantStart | null;
  /** A stored conversation started from an assistant: named in the header. */
  startedFrom?: { name: string; icon: string } | null;
};

type Problem = { code: string };

const SUGGESTIONS = ["s1", "s2", "s3", "s4"] as const;

/** The newest messages of a conversation as it opens are parsed at once; older replies as they near the view. */
const EAGER_ROWS = 8;

/** Typing re-renders the screen; these parts' props do not change with each keystroke. */
const Picker = memo(ModelPicker);
const Total = memo(ConversationTotal);
const Actions = memo(ConversationActions);
const Quote = memo(ComposerQuote);

type ListProps = {
  messages: ChatMessageView[];
  /** The first message on screen: older ones are added above after the conversation opens. */
  from: number;
  /** Older replies of the conversation as it opened: parsed as they near the view. */
  deferred: Set<string>;
  positions: Map<string, { index: number; count: number }>;
  names: Record<string, string>;
  busy: boolean;
  live: LiveText;
  onRegenerate: (id: string, model?: ModelView) => void;
  onSwitch: (id: string, step: -1 | 1) => void;
  onEdit: (id: string, text: string) => void;
};

/**
 * The conversation. Renders only when the messages change (a send, a reply's end), never per
 * streamed token or keystroke; inside it, only rows whose props changed render again.
 */
const MessageList = memo(function MessageList({ messages, from, deferred, positions, names, busy, live, onRegenerate, onSwitch, onEdit }: ListProps) {
  const last = messages[messages.length - 1];
  const lastAssistant = last?.role === "assistant" ? last.id : null;
  return messages.slice(from).map((m) => {
    const isLast = m.id === lastAssistant;
    const at = positions.get(m.id);
    return (
      <ChatMessage
        key={m.key ?? m.id}
        m={m}
        modelName={names[m.modelId] ?? m.modelId}
        isLast={isLast}
        busy={isLast && busy}
        siblingIndex={at?.index ?? 1}
        siblingCount={at?.count ?? 1}
        onRegenerate={onRegenerate}
        onSwitch={onSwitch}
        onEdit={onEdit}
        live={m.streaming ? live : undefined}
        deferred={deferred.has(m.id)}
      />
    );
  });
});

/** Tapping send/stop must not take focus from the composer: on a phone the keyboard would close and the layout jump under the finger. */
const keepFocus = (e: React.PointerEvent) => {
  if (document.activeElement?.tagName === "TEXTAREA") e.preventDefault();
};

export function ChatScreen(props: Props) {
  const t = useTranslations("chat");
  const tb = useTranslations("chatBranch.compare");
  const router = useRouter();
  const queryClient = useQueryClient();
  const [conversationId, setConversationId] = useState(props.conversationId);
  const [title, setTitle] = useState(props.title);
  // All branches of the conversation; `messages` is the one on screen.
  const { state: branch, setState: setBranch, messages, positions } = useBranches(props.initialMessages, props.initialLeafId);
  // A long conversation opens without parsing every reply: rows far above the end stay plain text
  // until they come within reach of the view (one IntersectionObserver on the list).
  const [deferred] = useState(() => new Set(messages.slice(0, -EAGER_ROWS).map((m) => m.id)));
  const [near] = useState(createNearWatch);
  // It opens with its newest rows only; the older ones are added above in idle moments.
  const from = useFirstMounted(messages.length);
  const [conversations, setConversations] = useState<ConversationView[]>(props.conversations);
  const [model, setModel] = useState<ModelView>(props.initialModel);
  const [names, setNames] = useState<Record<string, string>>(props.modelNames);
  // The composer owns its text (a keystroke renders it alone); the screen knows whether there is any.
  const composer = useRef<ComposerHandle>(null);
  const setInput = (text: string) => composer.current?.set(text);
  const [filled, setFilled] = useState(false);
  const [busy, setBusy] = useState(false);
  const [stopping, setStopping] = useState(false);
  const [problem, setProblem] = useState<Problem | null>(null);
  const [listOpen, setListOpen] = useState(false);
  const [keyboard, setKeyboard] = useState(false);
  const activeRequest = useRef<string | null>(null);
  const stopRequested = useRef(false);
  const scroller = useRef<HTMLDivElement>(null);
  const bottom = useRef<HTMLDivElement>(null);
  const stick = useRef(true);
  const confirmation = useSendConfirmation();
  const [live] = useState(createLiveText);
  const attach = useAttachments();

  // The newest text stays in view while streaming, unless the reader scrolled up, without reading
  // layout per token. The end sentinel is the scroller's only scroll anchor (overflow-anchor), so
  // once the list is scrolled the browser keeps it in place as the text above it grows. Anchoring
  // is off at scroll offset 0, so when the sentinel first leaves the view (an IntersectionObserver
  // tells, not a layout read) the list is scrolled to the bottom once.
  useEffect(() => {
    const el = scroller.current;
    const end = bottom.current;
    if (!el || !end) return;
    const anchoring = CSS.supports("overflow-anchor", "auto");
    const io = new IntersectionObserver(
      (entries) => {
        const e = entries[entries.length - 1]!;
        if (e.isIntersecting) stick.current = true;
        else if (stick.current) el.scrollTop = el.scrollHeight;
      },
      { root: el, rootMargin: "0px 0px 40px 0px" },
    );
    io.observe(end);
    // A scroll up unpins only right after the reader's own gesture: the growing tail's height also
    // moves the offset (a line becoming a list item, a heading), and anchoring follows it.
    let last = el.scrollTop;
    let gestureAt = -Infinity;
    const gesture = () => void (gestureAt = performance.now());
    const onScroll = () => {
      if (el.scrollTop < last - 2 && performance.now() - gestureAt < 1000) stick.current = false;
      last = el.scrollTop;
    };
    const gestures = ["wheel", "touchmove", "keydown", "pointerdown"] as const;
    for (const g of gestures) el.addEventListener(g, gesture, { passive: true });
    el.addEventListener("scroll", onScroll, { passive: true });
    // Without scroll anchoring (Safari): follow the text once per painted update.
    const off = anchoring
      ? () => {}
      : live.subscribe(() => {
          if (stick.current) el.scrollTop = el.scrollHeight;
        });
    return () => {
      io.disconnect();
      el.removeEventListener("scroll", onScroll);
      for (const g of gestures) el.removeEventListener(g, gesture);
      off();
    };
  }, [live]);

  useEffect(() => (scroller.current ? near.attach(scroller.current) : undefined), [near]);

  // A new message (sent, or a reply's start and end) brings the reader to the bottom once.
  useLayoutEffect(() => {
    const el = scroller.current;
    if (el && stick.current) el.scrollTop = el.scrollHeight;
  }, [messages.length]);

  // Replies render as Markdown; the renderer loads after the first paint, once there is a conversation or the composer is used.
  useEffect(() => {
    if (messages.length > 0) void preloadMarkdown();
  }, [messages.length]);

  const applyBalance = useCallback(
    (b: DoneEvent["balance"]) => {
      if (!b) return void queryClient.invalidateQueries({ queryKey: BALANCE_QUERY_KEY });
      queryClient.setQueryData<BalanceView>(BALANCE_QUERY_KEY, (old) =>
        old ? { ...old, available: b.available, held: b.held, total: (BigInt(b.available) + BigInt(b.held)).toString() } : old,
      );
      if (!queryClient.getQueryData(BALANCE_QUERY_KEY)) void queryClient.invalidateQueries({ queryKey: BALANCE_QUERY_KEY });
    },
    [queryClient],
  );

  const finishReply = useCallback(
    (placeholderId: string, d: DoneEvent) => {
      setBranch((b) => ({
        leaf: b.leaf === placeholderId && d.messageId ? d.messageId : b.leaf,
        tree: b.tree.map((m) =>
          m.id === placeholderId
            ? {
                ...m,
                id: d.messageId || m.id,
                content: d.content,
                status: d.status,
                errorCode: d.errorCode,
                planTokens: d.planTokens,
                modelId: d.modelId,
                streaming: false,
              }
            : m,
        ),
      }));
    },
    [setBranch],
  );

  // A reply still generating on the server when this conversation opened: followed to its end.
  const resumed = useResumeReply(props.conversationId, props.initialMessages, {
    begin: (m) => {
      setBusy(true);
      stopRequested.current = false;
      live.reset(m.content);
    },
    started: (rid) => void (activeRequest.current = rid),
    text: (text) => {
      if (!stopRequested.current) live.schedule(text);
    },
    end: (id, d, text) => {
      live.cancel();
      if (d) {
        finishReply(id, d);
        applyBalance(d.balance);
      } else {
        setBranch((b) => ({
          leaf: b.leaf,
          tree: b.tree.map((m) => (m.id === id ? { ...m, content: text, streaming: false, status: "interrupted", errorCode: "connection" } : m)),
        }));
      }
      activeRequest.current = null;
      setBusy(false);
      setStopping(false);
    },
  });

  /**
   * One send. `parentId`: the message the new one follows — for an edit the edited question's
   * parent, for a regenerate the question the reply answers; absent: the end of the branch on
   * screen. `model`: another model than the composer's (a regenerate with the same or another model).
   */
  async function run(opts: {
    content?: string;
    regenerate?: boolean;
    parentId?: string | null;
    model?: { id: string; name: string };
    confirmedUpTo?: string;
    files?: AttachmentChip[];
  }) {
    if (busy) return;
    setProblem(null);
    setBusy(true);
    stopRequested.current = false;
    stick.current = true;
    const requestId = newRequestId();
    activeRequest.current = requestId;
    const isNew = !conversationId;
    const newConversationId = isNew ? crypto.randomUUID() : undefined;
    const placeholderId = `pending-${requestId}`;
    const userId = `user-${requestId}`;
    const before = branch;
    const asked = opts.model ?? model;
    // Where the new message goes: the end of the branch on screen unless the caller says.
    const parentId = opts.parentId !== undefined ? opts.parentId : (messages[messages.length - 1]?.id ?? null);

    // Optimistic: the user's message (not when regenerating) and an empty reply that fills as text arrives.
    const added: ChatMessageView[] = opts.regenerate
      ? []
      : [
          {
            id: userId,
            key: userId,
            role: "user",
            parentId,
            content: opts.content!,
            modelId: asked.id,
            status: "ok",
            errorCode: null,
            planTokens: null,
            ...(opts.files?.length ? { attachments: opts.files } : {}),
          },
        ];
    setNames((n) => ({ ...n, [asked.id]: asked.name }));
    live.reset();
    setBranch({
      leaf: placeholderId,
      tree: [
        ...before.tree,
        ...added,
        {
          id: placeholderId,
          key: placeholderId,
          role: "assistant",
          parentId: opts.regenerate ? parentId : userId,
          content: "",
          modelId: asked.id,
          status: "ok",
          errorCode: null,
          planTokens: null,
          streaming: true,
        },
      ],
    });
    if (!opts.regenerate) setInput("");
    if (opts.files?.length) attach.clear();

    let res: Awaited<ReturnType<typeof sendChatMessage>>;
    try {
      res = await sendChatMessage({
        conversationId: conversationId ?? undefined,
        newConversationId,
        content: opts.content,
        regenerate: opts.regenerate,
        // The server builds the history from this message up (its own, checked); an optimistic id it never saw means "the branch's end".
        parentId: isNew ? undefined : parentId === null || isStoredId(parentId) ? parentId : undefined,
        modelId: asked.id,
        requestId,
        confirmedUpTo: opts.confirmedUpTo,
        assistant: isNew ? props.assistant?.ref : undefined,
        attachmentIds: opts.files?.length ? opts.files.map((f) => f.id) : undefined,
      });
    } catch {
      res = { ok: false, code: "internal" };
    }
    if (!res.ok) {
      // Refused before anything ran: nothing stored, nothing charged; give the text back.
      setBranch(before);
      if (!opts.regenerate && opts.content && opts.parentId === undefined) setInput(opts.content);
      if (opts.files?.length) attach.restore(opts.files);
      if (ATTACHMENT_CODES.has(res.code)) attach.setRefusal({ code: res.code, details: res.details });
      else setProblem({ code: res.code });
      setBusy(false);
      activeRequest.current = null;
      if (res.code === "insufficient_balance") void queryClient.invalidateQueries({ queryKey: BALANCE_QUERY_KEY });
      if (res.code === "confirm_required" && typeof res.details?.holdAmount === "string") {
        // Above the 单条确认 threshold and not confirmed yet: ask, then send with that amount confirmed.
        setProblem(null);
        const confirmedUpTo = await confirmation.confirmHold({ hold: res.details.holdAmount, expected: null, threshold: null });
        if (confirmedUpTo !== false) void run({ ...opts, confirmedUpTo });
      }
      return;
    }

    let text = "";
    let done: DoneEvent | null = null;
    let running: { conversationId: string; replyId: string } | null = null;
    const reader = res.stream.getReader();
    try {
      for (;;) {
        const { value, done: end } = await reader.read();
        if (end) break;
        const ev = value as ChatStreamEvent;
        if (ev.type === "start") {
          if (ev.replyId) running = { conversationId: ev.conversationId, replyId: ev.replyId };
          if (ev.switchedFrom) {
            // 放心用 served this reply on the payer's economical model: say so on the reply.
            const { modelId, modelName, switchedFrom } = ev;
            setNames((n) => ({ ...n, [modelId]: modelName }));
            setBranch((b) => ({ leaf: b.leaf, tree: b.tree.map((m) => (m.id === placeholderId ? { ...m, modelId, switchedFrom } : m)) }));
          }
          const uid = ev.userMessageId;
          const rp = ev.replyParentId;
          // The stored ids: the question's, and the reply's place in the tree.
          if (uid || rp) {
            setBranch((b) => ({
              leaf: b.leaf,
              tree: b.tree.map((m) => (m.id === userId && uid ? { ...m, id: uid } : m.id === placeholderId ? { ...m, parentId: rp ?? uid ?? m.parentId } : m)),
            }));
          }
          if (isNew) {
            setConversationId(ev.conversationId);
            setTitle(ev.title);
            setConversations((cs) => [
              { id: ev.conversationId, title: ev.title, updatedAt: new Date().toISOString() },
              ...cs.filter((c) => c.id !== ev.conversationId),
            ]);
            window.history.replaceState(null, "", `/chat/${ev.conversationId}`);
          }
        } else if (ev.type === "text") {
          if (stopRequested.current) continue;
          text += ev.text;
          live.schedule(text);
        } else if (ev.type === "done") {
          done = ev;
        }
      }
    } catch {
      // The connection broke (a locked phone, a network change): the reply goes on on the server.
    }
    if (!done && running) {
      // Follow it there to its end, as a reopened conversation would.
      const followed = await followToEnd(running.conversationId, running.replyId, (t) => {
        if (!stopRequested.current) live.schedule((text = t));
      });
      done = followed;
    }
    live.cancel();
    if (done) {
      finishReply(placeholderId, done);
      applyBalance(done.balance);
    } else {
      setBranch((b) => ({
        leaf: b.leaf,
        tree: b.tree.map((m) =>
          m.id === placeholderId ? { ...m, content: text, streaming: false, status: text ? "interrupted" : "error", errorCode: "connection" } : m,
        ),
      }));
      void queryClient.invalidateQueries({ queryKey: BALANCE_QUERY_KEY });
    }
    if (!isNew && conversationId) {
      setConversations((cs) => {
        const c = cs.find((x) => x.id === conversationId);
        return c ? [{ ...c, updatedAt: new Date().toISOString() }, ...cs.filter((x) => x.id !== conversationId)] : cs;
      });
    }
    activeRequest.current = null;
    setBusy(false);
    setStopping(false);
  }

  async function stop() {
    if (compare.running) {
      if (stopping) return;
      setStopping(true);
      return void (await compare.stop());
    }
    const rid = activeRequest.current;
    if (!rid || stopping) return;
    setStopping(true);
    // Freeze what is on screen now; the stream's final event brings the exact stored text.
    stopRequested.current = true;
    await stopChatMessage({ requestId: rid });
  }

  // One callback for the whole screen's life, so memoized rows keep their props.
  const runLatest = useRef(run);
  useLayoutEffect(() => {
    runLatest.current = run;
  });
  // The rows' callbacks read the newest state through this ref, so they keep one identity.
  const latest = useRef({ branch, busy, conversationId, names });
  useLayoutEffect(() => {
    latest.current = { branch, busy, conversationId, names };
  });
  const regenerate = useCallback((id: string, other?: ModelView) => {
    const { branch: b, busy: running, names: n } = latest.current;
    const reply = b.tree.find((m) => m.id === id);
    if (!reply || running) return;
    // Another model chosen: the composer continues with it too.
    if (other) setModel(other);
    const asked = other ?? { id: reply.modelId, name: n[reply.modelId] ?? reply.modelId };
    void runLatest.current({ regenerate: true, parentId: reply.parentId, model: asked });
  }, []);
  const edit = useCallback((id: string, text: string) => {
    const q = latest.current.branch.tree.find((m) => m.id === id);
    if (!q || latest.current.busy) return;
    void runLatest.current({ content: text, parentId: q.parentId });
  }, []);
  const switchTo = useCallback(
    (id: string, step: -1 | 1) => {
      const { branch: b, busy: running, conversationId: cid } = latest.current;
      if (running) return;
      const leaf = switchSibling(b.tree, id, step);
      if (!leaf) return;
      setBranch((b) => ({ ...b, leaf }));
      // Remembered for the next visit; the screen does not wait for it.
      if (cid && isStoredId(leaf)) void selectMyBranch({ conversationId: cid, leafId: leaf }).catch(() => undefined);
    },
    [setBranch],
  );

  // The composer's message follows the branch on screen: its quote is for that branch.
  const tail = messages[messages.length - 1]?.id;
  const quoteParent = isStoredId(tail) ? tail : undefined;

  // Side by side: one question to 2–3 models (its parts load only when opened).
  const compare = useCompare({
    setBranch,
    setBusy: (b) => {
      setBusy(b);
      if (!b) setStopping(false);
    },
    adopt: (id, newTitle) => {
      setConversationId(id);
      setTitle(newTitle);
      setConversations((cs) => [{ id, title: newTitle, updatedAt: new Date().toISOString() }, ...cs.filter((c) => c.id !== id)]);
      window.history.replaceState(null, "", `/chat/${id}`);
    },
    refused: (code, content) => {
      setInput(content);
      setProblem({ code });
      if (code === "insufficient_balance") void queryClient.invalidateQueries({ queryKey: BALANCE_QUERY_KEY });
    },
    // Several settles: the badge asks the server once they are all done.
    balance: () => void queryClient.invalidateQueries({ queryKey: BALANCE_QUERY_KEY }),
    continueWith: setModel,
    names: (ms) => setNames((n) => ({ ...n, ...Object.fromEntries(ms.map((m) => [m.id, m.name])) })),
    confirmHold: confirmation.confirmHold,
  });

  function submit(text = composer.current?.value() ?? "") {
    const content = text.trim();
    if (!content || busy || attach.uploading || compare.running) return;
    if (compare.active) {
      // Side by side sends text only: files stay in the tray for a plain message.
      setProblem(null);
      setInput("");
      stick.current = true;
      void compare.start({
        content,
        conversationId,
        parentId: messages[messages.length - 1]?.id ?? null,
        assistant: props.assistant?.ref,
        composerModel: model,
        branch,
      });
      return;
    }
    const files = attach.files;
    void confirmation
      .ask({ text: content, modelId: model.id, conversationId, assistant: props.assistant?.ref, parentId: quoteParent, attachmentIds: attach.ids })
      .then((confirmedUpTo) => {
        if (confirmedUpTo !== false) void run({ content, confirmedUpTo, files });
      });
  }

  const list = useMemo(
    () => (
      <ConversationList
        items={conversations}
        activeId={conversationId}
        onNavigate={() => setListOpen(false)}
        onRenamed={(id, newTitle) => {
          setConversations((cs) => cs.map((c) => (c.id === id ? { ...c, title: newTitle } : c)));
          if (id === conversationId) setTitle(newTitle);
        }}
        onDeleted={(id) => {
          setConversations((cs) => cs.filter((c) => c.id !== id));
          if (id === conversationId) {
            setListOpen(false);
            router.push("/chat");
          }
        }}
      />
    ),
    [conversations, conversationId, router],
  );

  return (
    <div className={cn("flex min-h-0 lg:h-[calc(100dvh-3.5rem)]", keyboard ? "h-[calc(100dvh-3.5rem)]" : "h-[calc(100dvh-7.5rem-var(--safe-bottom))]")}>
      {/* With the keyboard up on a phone, the bottom tabs give their room to the composer. */}
      {keyboard ? <style>{`@media (max-width: 1023px){nav[data-bottom-nav]{display:none}main{padding-bottom:0!important}}`}</style> : null}
      <aside className="hidden w-64 shrink-0 flex-col border-r border-slate-200 bg-white lg:flex">{list}</aside>

      <section className="flex min-w-0 flex-1 flex-col">
        <div className="flex h-12 shrink-0 items-center gap-2 border-b border-slate-200/70 bg-white/70 px-2 backdrop-blur lg:px-4">
          <button
            type="button"
            className="rounded-xl p-2 text-slate-600 hover:bg-slate-100 lg:hidden"
            aria-label={t("openList")}
            onClick={() => setListOpen(true)}
          >
            <Menu className="size-5" />
          </button>
          <div className="min-w-0 flex-1 text-center lg:text-left">
            <h1 className="truncate text-sm font-semibold text-slate-800" data-testid="chat-title">
              {title || t("newChat")}
            </h1>
            <StartedFrom assistant={props.startedFrom ?? (props.assistant && messages.length > 0 ? props.assistant : null)} />
          </div>
          <Total conversationId={conversationId} />
          <Actions conversationId={conversationId} />
          <Link prefetch={false} href="/chat" className="rounded-xl p-2 text-slate-600 hover:bg-slate-100 lg:hidden" aria-label={t("newChat")}>
            <Plus className="size-5" />
          </Link>
        </div>

        <div ref={scroller} className="min-h-0 flex-1 overflow-y-auto overscroll-contain [&>*]:[overflow-anchor:none]" data-testid="message-list">
          {messages.length === 0 && props.assistant ? (
            <AssistantIntro assistant={props.assistant} />
          ) : messages.length === 0 ? (
            <div className="mx-auto flex h-full max-w-2xl flex-col items-center justify-center px-5 py-8 text-center">
              <div className="flex size-14 items-center justify-center rounded-2xl bg-gradient-to-br from-brand-500 to-brand-700 text-2xl font-semibold text-white shadow-lg shadow-brand-600/20">
                U
              </div>
              <h2 className="mt-4 text-xl font-semibold text-slate-900">{t("emptyTitle")}</h2>
              <p className="mt-1 max-w-sm text-sm text-slate-500">{t("emptyHint")}</p>
              <div className="mt-6 grid w-full gap-2 sm:grid-cols-2">
                {SUGGESTIONS.map((k) => (
                  <button
                    key={k}
                    type="button"
                    disabled={busy}
                    onClick={() => submit(t(`suggestions.${k}`))}
                    className="rounded-2xl bg-white px-4 py-3 text-left text-sm text-slate-700 shadow-sm ring-1 ring-slate-200 hover:bg-slate-50 hover:ring-slate-300"
                  >
                    {t(`suggestions.${k}`)}
                  </button>
                ))}
              </div>
            </div>
          ) : (
            <div className="mx-auto flex max-w-3xl flex-col gap-6 px-4 py-5">
              <NearContext value={near}>
                <KeepScrollOnPrepend from={from} scroller={scroller} pinned={stick}>
                  <MessageList
                    messages={messages}
                    from={from}
                    deferred={deferred}
                    positions={positions}
                    names={names}
                    busy={busy}
                    live={live}
                    onRegenerate={regenerate}
                    onSwitch={switchTo}
                    onEdit={edit}
                  />
                </KeepScrollOnPrepend>
              </NearContext>
            </div>
          )}
          {compare.columns}
          <div ref={bottom} className="h-px" style={{ overflowAnchor: "auto" }} aria-hidden />
        </div>

        <div className="shrink-0 px-3 pb-3 pt-1 lg:px-4 lg:pb-4">
          <div className="mx-auto max-w-3xl">
            {resumed ? <ResumeNotice /> : null}
            {problem ? <ProblemNotice code={problem.code} onClose={() => setProblem(null)} /> : null}
            <form
              className="rounded-3xl bg-white p-2 shadow-lg shadow-slate-900/5 ring-1 ring-slate-200 focus-within:ring-brand-300"
              onSubmit={(e) => {
                e.preventDefault();
                submit();
              }}
            >
              <AttachmentChips a={attach} />
              <ComposerText
                handle={composer}
                placeholder={t("placeholder")}
                onFilled={setFilled}
                onSubmit={() => submit()}
                onFocus={() => {
                  void preloadMarkdown();
                  setKeyboard(window.matchMedia("(max-width: 1023px) and (pointer: coarse)").matches);
                }}
                // Let a tap that moved focus finish before the tabs come back and the layout moves.
                onBlur={() => setTimeout(() => setKeyboard(!!composer.current?.focused()), 250)}
                quote={(text) =>
                  compare.models ? (
                    <compare.Quote
                      text={text}
                      models={compare.models}
                      conversationId={conversationId}
                      assistant={props.assistant?.ref}
                      parentId={quoteParent}
                    />
                  ) : (
                    <Quote
                      text={text}
                      modelId={model.id}
                      conversationId={conversationId}
                      assistant={props.assistant?.ref}
                      parentId={quoteParent}
                      attachmentIds={attach.ids}
                    />
                  )
                }
              />
              {compare.running && !busy ? <p className="px-3 pt-0.5 text-xs text-brand-700">{tb("waitPick")}</p> : null}
              <div className="flex items-center justify-between gap-2 px-1 pt-1">
                <div className="flex min-w-0 items-center gap-1">
                  {compare.models ? (
                    <compare.Bar models={compare.models} onEdit={() => compare.openSetup(model)} onExit={compare.exit} disabled={busy || compare.running} />
                  ) : (
                    <>
                      <AttachButton onFiles={(f) => void attach.add(f)} disabled={busy} />
                      <Picker value={model} onChange={setModel} disabled={busy} />
                      <CompareToggle onClick={() => compare.openSetup(model)} disabled={busy || compare.running} />
                    </>
                  )}
                </div>
                {busy ? (
                  <button
                    type="button"
                    onPointerDown={keepFocus}
                    onClick={() => void stop()}
                    disabled={stopping}
                    aria-label={stopping ? t("stopping") : t("stop")}
                    data-testid="stop-button"
                    className="flex size-10 items-center justify-center rounded-full bg-slate-900 text-white shadow-sm hover:bg-slate-700 disabled:opacity-60"
                  >
                    <Square className="size-3.5 fill-current" />
                  </button>
                ) : (
                  <button
                    type="submit"
                    onPointerDown={keepFocus}
                    disabled={!filled || attach.uploading || compare.running}
                    aria-label={t("send")}
                    data-testid="send-button"
                    className="flex size-10 items-center justify-center rounded-full bg-brand-600 text-white shadow-sm hover:bg-brand-700 disabled:bg-slate-200 disabled:text-slate-400"
                  >
                    <ArrowUp className="size-5" />
                  </button>
                )}
              </div>
            </form>
          </div>
        </div>
      </section>

      <Dialog open={listOpen} onOpenChange={setListOpen}>
        <DialogContent title={t("conversations")} className="flex h-[75dvh] flex-col p-0 pt-5 [&>div:first-child]:px-5">
          {list}
        </DialogContent>
      </Dialog>
      {confirmation.dialog}
      {compare.setup}
    </div>
  );
}

function ProblemNotice({ code, onClose }: { code: string; onClose: () => void }) {
  const t = useTranslations("chat.errors");
  const ta = useTranslations("common.a11y");
  const known = [
    "insufficient_balance",
    "cap_reached",
    "quiet_hours",
    "daily_cap_reached",
    "model_not_allowed",
    "economy_only",
    "member_paused",
    "not_member",
    "model_unavailable",
    "unknown_model",
    "context_too_long",
    "duplicate_request",
    "not_found",
    "invalid_input",
    "nothing_to_regenerate",
    "unauthenticated",
  ];
  const key = known.includes(code) ? code : "internal";
  return (
    <div
      role="alert"
      data-testid="chat-problem"
      data-code={code}
      className="mb-2 flex items-start gap-3 rounded-2xl bg-amber-50 px-4 py-3 text-sm text-amber-900 ring-1 ring-amber-200"
    >
      <div className="flex-1">
        <p className="font-medium">{t(key)}</p>
        {code === "insufficient_balance" ? (
          <>
            <p className="mt-0.5 text-amber-800/80">{t("insufficient_balance_hint")}</p>
            <div className="mt-2 flex flex-wrap gap-2">
              <Link prefetch={false} href="/plans#packs" className="rounded-full bg-brand-600 px-3 py-1.5 text-xs font-medium text-white hover:bg-brand-700">
                {t("buyPack")}
              </Link>
              <Link
                prefetch={false}
                href="/plans"
                className="rounded-full bg-white px-3 py-1.5 text-xs font-medium text-brand-700 ring-1 ring-brand-200 hover:bg-brand-50"
              >
                {t("seePlans")}
              </Link>
            </div>
          </>
        ) : null}
        <AskPayerFromChat code={code} />
      </div>
      <button type="button" onClick={onClose} className="-mr-1 rounded-lg px-1.5 text-amber-700 hover:bg-amber-100" aria-label={ta("dismiss")}>
        ×
      </button>
    </div>
  );
}
