// @vitest-environment happy-dom
import { act, createElement, memo, Profiler, type ComponentProps } from "react";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mountInApp } from "@/lib/testing/render";
import type { ChatStreamEvent } from "@/lib/chat/wire";
import { answerAction } from "@/lib/testing/action-stubs";
import type { ChatMessageView, ModelView } from "./types";

// Render counts per message row, from React's Profiler around each real row.
const renders = new Map<string, number>();
vi.mock("@/components/chat/message", async (importOriginal) => {
  const real = await importOriginal<typeof import("./message")>();
  type P = ComponentProps<typeof real.ChatMessage>;
  // Same (default, shallow) memo as the real row: it renders exactly when the real one would.
  const Probe = memo(function Probe(props: P) {
    return createElement(
      Profiler,
      { id: props.m.id, onRender: (id: string) => void renders.set(id, (renders.get(id) ?? 0) + 1) },
      createElement(real.ChatMessage, props),
    );
  });
  return { ...real, ChatMessage: Probe };
});

// Renders of the chat screen itself: it calls useBranches once per render.
let screenRenders = 0;
vi.mock("@/components/chat/use-branches", async (importOriginal) => {
  const real = await importOriginal<typeof import("./use-branches")>();
  return { ...real, useBranches: (...args: Parameters<typeof real.useBranches>) => (screenRenders++, real.useBranches(...args)) };
});

// The server actions cannot run in a DOM test (see lib/testing/action-stubs.ts): the chat action
// hands back a stream this test feeds.
let feed: ReadableStreamDefaultController<ChatStreamEvent> | null = null;
answerAction("sendChatMessage", async () => ({ ok: true, stream: new ReadableStream<ChatStreamEvent>({ start: (c) => void (feed = c) }) }));
answerAction("stopChatMessage", async () => ({ ok: true }));
vi.mock("next/navigation", () => ({
  useRouter: () => ({ push() {}, replace() {}, refresh() {}, prefetch() {}, back() {}, forward() {} }),
  usePathname: () => "/chat/c1",
}));

const { ChatScreen } = await import("./chat-screen");
const { preloadMarkdown, loadHighlight } = await import("./markdown");
const { LIVE_TEXT_INTERVAL_MS } = await import("./live-text");

const model: ModelView = {
  id: "gpt-4o-mini",
  name: "GPT-4o mini",
  family: null,
  inMicro: "1",
  outMicro: "1",
  context: 128000,
  route: "demo",
  recommended: true,
};
const earlier: ChatMessageView[] = Array.from({ length: 20 }, (_, i) => ({
  id: `m${i}`,
  role: i % 2 ? "assistant" : "user",
  parentId: i ? `m${i - 1}` : null,
  content: i % 2 ? `Answer ${i}\n\n- a point\n- another\n\n\`\`\`ts\nconst x = ${i};\n\`\`\`` : `Question ${i}`,
  modelId: model.id,
  status: "ok",
  errorCode: null,
  planTokens: i % 2 ? "100" : null,
}));

const frame = () => new Promise<void>((r) => requestAnimationFrame(() => setTimeout(r, 0)));
const tick = () => new Promise<void>((r) => setTimeout(r, 0));

function type(el: HTMLTextAreaElement, value: string) {
  Object.getOwnPropertyDescriptor(HTMLTextAreaElement.prototype, "value")!.set!.call(el, value);
  el.dispatchEvent(new Event("input", { bubbles: true }));
}

describe("chat screen while a reply streams", () => {
  let host: HTMLDivElement;
  let unmount: () => void;
  beforeAll(async () => {
    // Loaded before the first render (as after an earlier page), so their arrival is not counted as a render.
    await Promise.all([preloadMarkdown(), loadHighlight()]);
    ({ host, unmount } = await mountInApp(
      <ChatScreen
        conversationId="c1"
        title="Earlier"
        initialMessages={earlier}
        conversations={[{ id: "c1", title: "Earlier", updatedAt: new Date(0).toISOString() }]}
        initialModel={model}
        modelNames={{ [model.id]: model.name }}
      />,
    ));
  });
  afterAll(() => unmount());

  it("renders earlier messages once, and the reply at most once per frame", async () => {
    for (const m of earlier) expect(renders.get(m.id), m.id).toBe(1);
    const input = host.querySelector<HTMLTextAreaElement>('[data-testid="composer-input"]')!;

    // Typing does not touch the conversation, nor render the screen around the composer but once
    // (the send button turns on with the first character).
    const screenBefore = screenRenders;
    for (const ch of "你好，写一篇长文") await act(async () => type(input, input.value + ch));
    for (const m of earlier) expect(renders.get(m.id), m.id).toBe(1);
    expect(screenRenders - screenBefore).toBeLessThanOrEqual(1);
    expect(host.querySelector<HTMLButtonElement>('[data-testid="send-button"]')!.disabled).toBe(false);

    await act(async () => host.querySelector<HTMLButtonElement>('[data-testid="send-button"]')!.click());
    await act(tick);
    expect(feed).not.toBeNull();
    await act(async () => feed!.enqueue({ type: "start", conversationId: "c1", title: "Earlier" } as ChatStreamEvent));

    const pending = [...renders.keys()].find((k) => k.startsWith("pending-"))!;
    expect(pending).toBeDefined();
    const atStart = renders.get(pending)!;

    // 40 frames of 25 text events each, with keystrokes in the composer in between.
    let sent = "";
    for (let f = 0; f < 40; f++) {
      await act(async () => {
        for (let i = 0; i < 25; i++) {
          const piece = i === 24 ? `段落${f}。\n\n` : `词${i}`;
          sent += piece;
          feed!.enqueue({ type: "text", text: piece } as ChatStreamEvent);
        }
        await tick();
      });
      if (f % 4 === 0) await act(async () => type(input, `${input.value}x`));
      await act(frame);
    }
    // The last text waits for its turn (updates are at least LIVE_TEXT_INTERVAL_MS apart).
    await act(() => new Promise((r) => setTimeout(r, LIVE_TEXT_INTERVAL_MS)));
    await act(frame);
    const streamed = renders.get(pending)! - atStart;
    expect(streamed).toBeGreaterThan(0);
    // 1,000 text events reached the screen in at most one render per frame.
    expect(streamed).toBeLessThanOrEqual(40);
    const reply = host.querySelectorAll('[data-testid="message-assistant"]');
    expect(reply[reply.length - 1]!.textContent).toContain("段落39。");

    // The only earlier row that rendered again is the previous last reply, once: it lost its
    // regenerate button when the new reply started.
    for (const m of earlier) expect(renders.get(m.id), m.id).toBe(m.id === "m19" ? 2 : 1);

    const streamedRow = reply[reply.length - 1]!;
    await act(async () => {
      feed!.enqueue({
        type: "done",
        messageId: "r1",
        content: sent,
        status: "ok",
        errorCode: null,
        planTokens: "42",
        modelId: model.id,
        balance: null,
      } as unknown as ChatStreamEvent);
      feed!.close();
      await tick();
    });
    await act(tick);
    expect(host.querySelector('[data-testid="message-assistant"]:last-of-type [data-testid="reply-cost"]')).not.toBeNull();
    // The stored reply keeps its row: not mounted (and parsed) again when its id arrives.
    expect(streamedRow.isConnected).toBe(true);
    expect(streamedRow.getAttribute("data-status")).toBe("ok");
    for (const m of earlier) expect(renders.get(m.id), m.id).toBe(m.id === "m19" ? 2 : 1);
  });

  it("a reply 放心用 served on the payer's economical model says it switched, under that model's name", async () => {
    const input = host.querySelector<HTMLTextAreaElement>('[data-testid="composer-input"]')!;
    await act(async () => type(input, "再来一段"));
    await act(async () => host.querySelector<HTMLButtonElement>('[data-testid="send-button"]')!.click());
    await act(tick);
    await act(async () =>
      feed!.enqueue({
        type: "start",
        conversationId: "c1",
        title: "Earlier",
        requestId: "r2",
        modelId: "deepseek-chat",
        modelName: "DeepSeek V3.2",
        routeKind: "demo",
        userMessageId: null,
        switchedFrom: model.id,
      }),
    );
    await act(tick);
    const rows = host.querySelectorAll('[data-testid="message-assistant"]');
    const last = rows[rows.length - 1]!;
    expect(last.querySelector('[data-testid="economy-switch-notice"]')?.textContent).toBe(
      "放心用：额度已用完，这条回复改由经济模型 DeepSeek V3.2 回答，本月剩余时间都用它。",
    );
    // Only that reply: the one before says nothing of the kind.
    expect(rows[rows.length - 2]!.querySelector('[data-testid="economy-switch-notice"]')).toBeNull();
  });
});
