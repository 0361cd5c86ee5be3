"use client";
import dynamic from "next/dynamic";
import { useCallback, useEffect, useRef, useState, type Dispatch, type SetStateAction } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { useTranslations } from "next-intl";
import { Columns3 } from "lucide-react";
import { selectMyBranch, stopChatMessage } from "@/app/actions/chat";
import { columnRequestId, type DoneEvent } from "@/lib/chat/wire";
import { isStoredId } from "@/lib/chat/branches";
import { cn } from "@/lib/cn";
import { newRequestId } from "./format";
import type { BranchState } from "./use-branches";
import type { CompareHandlers, CompareRequest } from "./compare-panel";
import type { ModelView } from "./types";

// The comparison's screens load only when someone opens them: the plain chat does not carry them.
const load = () => import("./compare-panel");
const CompareSetup = dynamic(() => load().then((m) => m.CompareSetup), { ssr: false });
const CompareBar = dynamic(() => load().then((m) => m.CompareBar), { ssr: false });
const CompareQuote = dynamic(() => load().then((m) => m.CompareQuote), { ssr: false });
const CompareColumns = dynamic(() => load().then((m) => m.CompareColumns), { ssr: false });

/** The composer's "多模型对比" button. */
export function CompareToggle({ onClick, disabled, active }: { onClick: () => void; disabled?: boolean; active?: boolean }) {
  const t = useTranslations("chatBranch.compare");
  return (
    <button
      type="button"
      onClick={onClick}
      onPointerEnter={() => void load()}
      disabled={disabled}
      aria-label={t("toggle")}
      title={t("toggle")}
      data-testid="compare-toggle"
      className={cn(
        "rounded-full p-1.5 text-slate-500 hover:bg-slate-100 hover:text-slate-800 disabled:opacity-50",
        active && "bg-brand-50 text-brand-700 ring-1 ring-brand-100",
      )}
    >
      <Columns3 className="size-4" />
    </button>
  );
}

export type CompareHost = {
  setBranch: Dispatch<SetStateAction<BranchState>>;
  /** The screen is busy from the send until every column ended. */
  setBusy: (busy: boolean) => void;
  /** A new conversation was created by the comparison. */
  adopt: (conversationId: string, title: string) => void;
  /** Every column was refused: the text goes back to the composer, the reason is shown. */
  refused: (code: string, content: string) => void;
  balance: (b: DoneEvent["balance"]) => void;
  /** The chosen answer's model becomes the composer's. */
  continueWith: (model: ModelView) => void;
  names: (models: ModelView[]) => void;
  confirmHold: (p: { hold: string; expected: string | null; threshold: string | null }) => Promise<string | false>;
};

type Start = { content: string; conversationId: string | null; parentId: string | null; assistant?: string; composerModel: ModelView; branch: BranchState };

/**
 * Side by side in the chat screen: the chosen models, the running comparison and its parts. The
 * host's callbacks are read through a ref, so the screen's memoized parts keep their props.
 */
export function useCompare(host: CompareHost) {
  const queryClient = useQueryClient();
  const [models, setModels] = useState<ModelView[] | null>(null);
  const [setupOpen, setSetupOpen] = useState(false);
  const [request, setRequest] = useState<CompareRequest | null>(null);
  const [initial, setInitial] = useState<ModelView[]>([]);
  const h = useRef(host);
  useEffect(() => {
    h.current = host;
  });
  const started = useRef<{ questionKey: string; before: BranchState; content: string } | null>(null);

  const openSetup = useCallback((composerModel: ModelView) => {
    setInitial((prev) => (prev.length ? prev : [composerModel]));
    setSetupOpen(true);
  }, []);

  const start = useCallback(
    async ({ content, conversationId, parentId, assistant, branch }: Start) => {
      if (!models) return;
      const ask = { text: content, conversationId, parentId: isStoredId(parentId) ? parentId : undefined, assistant, models };
      const { confirmComparison } = await load();
      const confirmedUpTo = await confirmComparison(queryClient, h.current.confirmHold, ask);
      if (confirmedUpTo === false) return;
      const requestId = newRequestId();
      const questionKey = `user-${requestId}`;
      started.current = { questionKey, before: branch, content };
      h.current.names(models);
      h.current.setBusy(true);
      h.current.setBranch((b) => ({
        leaf: questionKey,
        tree: [
          ...b.tree,
          { id: questionKey, key: questionKey, role: "user", parentId, content, modelId: models[0]!.id, status: "ok", errorCode: null, planTokens: null },
        ],
      }));
      setRequest({
        requestId,
        content,
        models,
        conversationId: conversationId ?? undefined,
        newConversationId: conversationId ? undefined : crypto.randomUUID(),
        parentId: conversationId ? (parentId === null || isStoredId(parentId) ? parentId : undefined) : undefined,
        assistant: conversationId ? undefined : assistant,
        confirmedUpTo,
      });
    },
    [models, queryClient],
  );

  const handlers: CompareHandlers = {
    onQuestion: (ev) => {
      const key = started.current?.questionKey;
      h.current.setBranch((b) => ({
        ...b,
        tree: b.tree.map((m) => (m.id === key ? { ...m, id: ev.userMessageId } : m)),
        leaf: b.leaf === key ? ev.userMessageId : b.leaf,
      }));
      if (request && !request.conversationId) h.current.adopt(ev.conversationId, ev.title);
    },
    onRefused: (code) => {
      const s = started.current;
      if (s) h.current.setBranch(s.before);
      h.current.refused(code, s?.content ?? "");
      h.current.setBusy(false);
      setRequest(null);
    },
    onSettled: (balance) => {
      h.current.balance(balance);
      h.current.setBusy(false);
    },
    onPick: (replies, chosen, model) => {
      h.current.setBranch((b) => ({ tree: [...b.tree, ...replies], leaf: chosen.id }));
      h.current.continueWith(model);
      const cid = request?.conversationId;
      void (async () => {
        // The chosen answer is the branch on screen next time too.
        const conversationId = cid ?? request?.newConversationId;
        if (conversationId) await selectMyBranch({ conversationId, leafId: chosen.id }).catch(() => undefined);
      })();
      setRequest(null);
      setModels(null);
    },
  };

  const stop = useCallback(async () => {
    if (!request) return;
    await Promise.all(request.models.map((_, i) => stopChatMessage({ requestId: columnRequestId(request.requestId, i) }).catch(() => undefined)));
  }, [request]);

  return {
    /** Comparing is on: the composer sends to these models. */
    active: models !== null,
    /** A comparison is on screen and waits for an answer to be picked. */
    running: request !== null,
    models,
    openSetup,
    start,
    stop,
    exit: () => setModels(null),
    setup: setupOpen ? (
      <CompareSetup
        open={setupOpen}
        onOpenChange={setSetupOpen}
        initial={models ?? initial}
        onStart={(ms) => {
          setModels(ms);
          setInitial(ms);
        }}
      />
    ) : null,
    Bar: CompareBar,
    Quote: CompareQuote,
    columns: request ? <CompareColumns request={request} handlers={handlers} /> : null,
  };
}
