// @vitest-environment happy-dom
import { act } from "react";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { mountInApp } from "@/lib/testing/render";
import type { ChatMessageView, ModelView } from "./types";

// Every text the Markdown renderer parses, as it parses it.
const parsed: string[] = [];
vi.mock("react-markdown", async (importOriginal) => {
  const real = await importOriginal<typeof import("react-markdown")>();
  return {
    ...real,
    default: (props: Parameters<typeof real.default>[0]) => {
      parsed.push(String(props.children));
      return real.default(props);
    },
  };
});
vi.mock("next/navigation", () => ({
  useRouter: () => ({ push() {}, replace() {}, refresh() {}, prefetch() {}, back() {}, forward() {} }),
  usePathname: () => "/chat/c1",
}));

// happy-dom's IntersectionObserver never reports: this one reports when the test says.
class FakeObserver {
  static all: FakeObserver[] = [];
  targets = new Set<Element>();
  constructor(
    private readonly callback: IntersectionObserverCallback,
    readonly options: IntersectionObserverInit = {},
  ) {
    FakeObserver.all.push(this);
  }
  observe(el: Element) {
    this.targets.add(el);
  }
  unobserve(el: Element) {
    this.targets.delete(el);
  }
  disconnect() {
    this.targets.clear();
  }
  takeRecords() {
    return [];
  }
  report(el: Element) {
    this.callback([{ target: el, isIntersecting: true } as IntersectionObserverEntry], this as unknown as IntersectionObserver);
  }
}
vi.stubGlobal("IntersectionObserver", FakeObserver);

// Idle moments come when the test says.
const idle: (() => void)[] = [];
vi.stubGlobal("requestIdleCallback", (run: () => void) => idle.push(run));
vi.stubGlobal("cancelIdleCallback", () => {});
async function idleMoment() {
  const run = idle.shift();
  expect(run, "an idle step waiting").toBeDefined();
  await act(async () => run!());
}

const { ChatScreen } = await import("./chat-screen");
const { preloadMarkdown } = await import("./markdown");
const { FIRST_ROWS, OLDER_ROWS_PER_STEP } = await import("./older-rows");

const model: ModelView = { id: "m", name: "Model", family: null, inMicro: "1", outMicro: "1", context: 128000, route: "demo", recommended: true };
// 200 messages: question i (even), reply i (odd), each reply with a list and a marker of its own.
const COUNT = 200;
const messages: ChatMessageView[] = Array.from({ length: COUNT }, (_, i) => ({
  id: `m${i}`,
  role: i % 2 ? "assistant" : "user",
  parentId: i ? `m${i - 1}` : null,
  content: i % 2 ? `Answer ${i}\n\n- point R${i}X\n- another` : `Question ${i}`,
  modelId: model.id,
  status: "ok",
  errorCode: null,
  planTokens: null,
}));
const parsedReply = (i: number) => parsed.some((t) => t.includes(`R${i}X`));

describe("a long conversation as it opens", () => {
  let host: HTMLDivElement;
  let unmount: () => void;
  beforeAll(async () => {
    await preloadMarkdown();
    ({ host, unmount } = await mountInApp(
      <ChatScreen
        conversationId="c1"
        title="Long"
        initialMessages={messages}
        conversations={[{ id: "c1", title: "Long", updatedAt: new Date(0).toISOString() }]}
        initialModel={model}
        modelNames={{ [model.id]: model.name }}
      />,
    ));
  });
  afterAll(() => unmount());

  const rows = () => host.querySelectorAll('[data-testid="message-user"], [data-testid="message-assistant"]');
  const replyRow = (i: number) => [...host.querySelectorAll('[data-testid="message-assistant"]')].find((r) => r.textContent!.includes(`R${i}X`))!;
  const list = () => host.querySelector<HTMLElement>('[data-testid="message-list"]')!;

  it("opens with its newest rows only, then adds the older ones above in idle moments, keeping the reader's place", async () => {
    // Only the newest rows are rendered as it opens; the first question is not there yet.
    expect(rows().length).toBe(FIRST_ROWS);
    expect(host.textContent).not.toContain("Question 0");
    expect(host.textContent).toContain(`Question ${COUNT - FIRST_ROWS}`);
    expect(host.textContent).not.toContain(`Question ${COUNT - FIRST_ROWS - 2}`);

    // The reader scrolls up (their own gesture): the list no longer follows its end. The list's
    // height here is 100 px a row (no layout in this DOM).
    const el = list();
    Object.defineProperty(el, "scrollHeight", { configurable: true, get: () => rows().length * 100 });
    el.scrollTop = FIRST_ROWS * 100;
    el.dispatchEvent(new Event("scroll"));
    el.dispatchEvent(new Event("wheel"));
    el.scrollTop = 300;
    el.dispatchEvent(new Event("scroll"));

    // One idle moment adds a step of older rows above; what the reader looked at stays in place.
    await idleMoment();
    expect(rows().length).toBe(FIRST_ROWS + OLDER_ROWS_PER_STEP);
    expect(el.scrollTop).toBe(300 + OLDER_ROWS_PER_STEP * 100);

    // Then the rest, a step at a time, until the whole conversation is there (find-in-page sees it).
    let steps = 1;
    while (rows().length < COUNT) {
      await idleMoment();
      steps++;
    }
    expect(steps).toBe(Math.ceil((COUNT - FIRST_ROWS) / OLDER_ROWS_PER_STEP));
    expect(rows().length).toBe(COUNT);
    expect(rows()[0]!.textContent).toBe("Question 0");
    expect(idle).toHaveLength(0);
  });

  it("parses only the newest replies; older ones are plain text until they near the view", async () => {
    // The newest replies are Markdown at once.
    for (const i of [COUNT - 5, COUNT - 3, COUNT - 1]) {
      expect(parsedReply(i), `reply ${i}`).toBe(true);
      expect(replyRow(i).querySelector("li")?.textContent).toBe(`point R${i}X`);
    }
    // Older ones: not parsed, their text shown as it is.
    const older = [1, 3, 51, 89, COUNT - 21];
    for (const i of older) {
      expect(parsedReply(i), `reply ${i}`).toBe(false);
      expect(replyRow(i).querySelector("li")).toBeNull();
      expect(replyRow(i).querySelector('[data-testid="reply-text"]')!.textContent).toBe(`Answer ${i}\n\n- point R${i}X\n- another`);
    }
    expect(parsed.filter((t) => /R\d+X/.test(t)).length).toBeLessThanOrEqual(4);

    // One observer on the list watches them, with a margin beyond the view.
    const watch = FakeObserver.all.find((o) => o.options.root === list() && [...o.targets].some((t) => replyRow(51).contains(t)))!;
    expect(watch).toBeDefined();
    expect(watch.options.rootMargin).toMatch(/^\d{3,}px/);
    const box = [...watch.targets].find((t) => replyRow(51).contains(t))!;

    // Reply 51 comes near the view: parsed then, and only it.
    await act(async () => watch.report(box));
    await act(async () => new Promise((r) => setTimeout(r, 0)));
    expect(parsedReply(51)).toBe(true);
    expect(replyRow(51).querySelector("li")?.textContent).toBe("point R51X");
    expect(watch.targets.has(box)).toBe(false);
    for (const i of [1, 3, 89, COUNT - 21]) expect(parsedReply(i), `reply ${i}`).toBe(false);
  });
});
