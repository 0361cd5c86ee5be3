import { describe, expect, it } from "vitest";
import { countChatTokens, holdFor } from "@/lib/metering";
import { countPrompt, sizeHold } from "./size";
import { completionVerdict, type StreamRecord } from "./outcome";

const weights = { inMicro: 500_000n, outMicro: 2_000_000n };
const model = { limits: { context: 1000, output: 300 }, weights };
const msgs = [{ role: "user" as const, content: "讲讲复利是怎么回事" }];

describe("sizing a hold", () => {
  it("counts a short prompt later and sizes the hold for the model's output limit", () => {
    const s = sizeHold(model, msgs, { asked: 8192 });
    if ("tooLong" in s) throw new Error("too long");
    expect(s).toMatchObject({ countLater: true, maxOutputTokens: 300, holdAmount: 0n });
    const c = countPrompt(s, model, msgs);
    expect(c).toMatchObject({
      countLater: false,
      promptTokens: countChatTokens(msgs),
      holdAmount: holdFor({ promptTokens: countChatTokens(msgs), maxOutputTokens: 300, weights }),
    });
  });
  it("refuses a prompt longer than the context, and leaves the reply only what the context has left", () => {
    expect(sizeHold({ ...model, limits: { context: 5, output: 300 } }, msgs)).toMatchObject({ tooLong: { context: 5 } });
    const long = [{ role: "user" as const, content: "字".repeat(900) }];
    const s = sizeHold(model, long, { asked: 8192 });
    if ("tooLong" in s) throw new Error("too long");
    expect(s.countLater).toBe(false);
    expect(s.maxOutputTokens).toBe(Math.min(300, 1000 - s.promptTokens));
  });
});

describe("the verdict on a finished stream", () => {
  const base: StreamRecord = {
    opened: true,
    producedText: "",
    countedOut: 0,
    deliveredChars: 0,
    reported: null,
    upstreamError: null,
    abortedByUs: false,
    consumerGone: false,
    stopRequested: false,
    cancelledByServer: false,
  };
  const v = (r: Partial<StreamRecord>, trustZero = true) => completionVerdict({ ...base, ...r }, { promptTokens: 10, weights, holdAmount: 10_000n, trustZero });

  it("a client gone after acceptance pays the prompt; before acceptance, nothing", () => {
    expect(v({ consumerGone: true, abortedByUs: true })).toMatchObject({ status: "aborted", charge: { planTokens: 5n } });
    expect(v({ opened: false, consumerGone: true, abortedByUs: true })).toMatchObject({ status: "aborted", charge: { planTokens: 0n } });
  });
  it("an upstream failure before output costs nothing; after output, what was produced", () => {
    expect(v({ upstreamError: { code: "upstream_unavailable" } })).toMatchObject({
      status: "error",
      errorCode: "upstream_unavailable",
      charge: { planTokens: 0n },
    });
    expect(v({ upstreamError: { code: "upstream_stream_broken" }, producedText: "hello world", countedOut: 2, deliveredChars: 11 })).toMatchObject({
      status: "interrupted",
      charge: { planTokens: 9n },
    });
  });
  it("a stop asked by the wallet is interrupted and charged; our own failure before delivery is free", () => {
    expect(v({ stopRequested: true, abortedByUs: true, producedText: "hello world", countedOut: 2 })).toMatchObject({
      status: "interrupted",
      errorCode: "member_removed",
      charge: { planTokens: 9n },
    });
    expect(v({ cancelledByServer: true, abortedByUs: true, consumerGone: true, producedText: "hello", countedOut: 1 })).toMatchObject({
      status: "error",
      errorCode: "internal",
      charge: { planTokens: 0n },
    });
  });
  it("an explicit zero is believed from a real provider only", () => {
    expect(v({ reported: { tokensIn: 0, tokensOut: 0 }, producedText: "hello world", countedOut: 2, deliveredChars: 11 })).toMatchObject({
      charge: { usageSource: "provider", planTokens: 1n },
    });
    expect(v({ reported: { tokensIn: 0, tokensOut: 0 }, producedText: "hello world", countedOut: 2, deliveredChars: 11 }, false)).toMatchObject({
      charge: { usageSource: "counted", planTokens: 9n },
    });
  });
});
