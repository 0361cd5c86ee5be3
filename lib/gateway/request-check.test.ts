import { describe, expect, it } from "vitest";
import fc from "fast-check";
import { chatCompletionRequest } from "./request";
import { checkCommonChatRequest } from "./request-check";

// The hand check may only ever answer what the schema answers: whatever it accepts, the schema
// accepts with an equal result. Anything else it leaves to the schema (null).

const text = fc.oneof(fc.string({ maxLength: 8 }), fc.constant(""), fc.constant("x".repeat(65)), fc.constant("y".repeat(201)), fc.constant("z".repeat(257)));
const scalar = fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }), fc.boolean(), text, fc.constant(null));
/** Mostly a value the schema takes, sometimes one it may not. */
const mostly = <T, U>(valid: fc.Arbitrary<T>, wild: fc.Arbitrary<U>) => fc.oneof({ arbitrary: valid, weight: 15 }, { arbitrary: wild, weight: 1 });
const opt = <T>(a: fc.Arbitrary<T>) =>
  fc.oneof({ arbitrary: fc.constant(undefined), weight: 3 }, { arbitrary: a, weight: 2 }, { arbitrary: fc.constant(null), weight: 1 });
const short = fc.string({ maxLength: 8 });

const toolCall = fc.record(
  {
    id: mostly(fc.constantFrom("call_1", "call_2"), fc.oneof(text, fc.integer())),
    type: mostly(fc.constant("function"), fc.constant("fn")),
    function: mostly(
      fc.record(
        { name: fc.constantFrom("read_file", "get_time"), arguments: fc.constantFrom("{}", '{"path":"a"}'), extra: scalar },
        { requiredKeys: ["name", "arguments"] },
      ),
      opt(fc.record({ name: text, arguments: fc.oneof(text, fc.integer()) }, { requiredKeys: [] })),
    ),
    extra: scalar,
  },
  { requiredKeys: ["id", "type", "function"] },
);
const textPart = fc.record({ type: fc.constantFrom("text", "image_url"), text }, { requiredKeys: [] });
const message = fc.record(
  {
    role: mostly(fc.constantFrom("system", "developer", "user", "assistant", "tool"), fc.constant("bot")),
    content: mostly(short, fc.oneof(fc.constant(null), fc.array(textPart, { maxLength: 2 }), fc.integer())),
    name: opt(mostly(short, fc.oneof(text, fc.integer()))),
    refusal: opt(mostly(short, fc.integer())),
    tool_calls: opt(mostly(fc.array(toolCall, { maxLength: 2 }), text)),
    tool_call_id: mostly(fc.constant("call_1"), fc.oneof(text, fc.integer())),
    extra: scalar,
  },
  { requiredKeys: ["role", "content"] },
);
const schemaLike = mostly(
  fc.oneof(fc.constant({ type: "object", properties: { path: { type: "string" } }, required: ["path"] }), fc.constant({})),
  fc.oneof(fc.constant([]), fc.dictionary(fc.string({ maxLength: 4 }), scalar, { maxKeys: 3 }), fc.integer()),
);
const tool = fc.record(
  {
    type: mostly(fc.constant("function"), fc.constant("fn")),
    function: fc.record(
      {
        name: mostly(fc.constantFrom("read_file", "search-code", "Tool_2"), fc.oneof(fc.constantFrom("bad name", "", "n".repeat(65)), text)),
        description: opt(mostly(short, fc.integer())),
        parameters: opt(schemaLike),
        strict: opt(mostly(fc.boolean(), text)),
        extra: scalar,
      },
      { requiredKeys: ["name"] },
    ),
    extra: scalar,
  },
  { requiredKeys: ["type", "function"] },
);
const bounds = fc.constantFrom(0, 1, 2, -1, -2, -2.5, 0.5, 1.5, 2.5, 100, 2 ** 53, 2 ** 53 + 2, -(2 ** 53) - 2);
const body = fc.record(
  {
    model: mostly(fc.constant("deepseek-chat"), fc.oneof(text, fc.integer())),
    messages: mostly(fc.array(message, { minLength: 1, maxLength: 4 }), fc.oneof(fc.constant([]), text)),
    stream: opt(mostly(fc.boolean(), text)),
    stream_options: opt(mostly(fc.record({ include_usage: opt(fc.boolean()) }, { requiredKeys: [] }), fc.oneof(fc.record({ extra: scalar }), text))),
    max_tokens: opt(mostly(fc.integer({ min: 1, max: 100_000 }), fc.oneof(bounds, text))),
    max_completion_tokens: opt(bounds),
    n: opt(mostly(fc.constant(1), bounds)),
    user: opt(mostly(short, fc.oneof(text, fc.integer()))),
    tools: opt(mostly(fc.array(tool, { maxLength: 3 }), text)),
    tool_choice: opt(
      mostly(fc.constantFrom("none", "auto", "required"), fc.oneof(fc.constant("any"), fc.constant({ type: "function", function: { name: "read_file" } }))),
    ),
    parallel_tool_calls: opt(mostly(fc.boolean(), fc.integer())),
    response_format: fc.oneof({ arbitrary: fc.constant(undefined), weight: 10 }, { arbitrary: fc.constant({ type: "json_object" }), weight: 1 }),
    stop: opt(mostly(fc.oneof(short, fc.array(short, { maxLength: 4 })), fc.oneof(text, fc.array(text, { maxLength: 5 }), fc.integer()))),
    seed: opt(mostly(fc.integer(), bounds)),
    temperature: opt(mostly(fc.double({ min: 0, max: 2, noNaN: true }), bounds)),
    top_p: opt(mostly(fc.double({ min: 0, max: 1, noNaN: true }), bounds)),
    presence_penalty: opt(bounds),
    frequency_penalty: opt(bounds),
    logit_bias: fc.oneof({ arbitrary: fc.constant(undefined), weight: 10 }, { arbitrary: fc.constant({ "50256": -100 }), weight: 1 }),
    provider: opt(fc.constant({ sort: "price" })),
    logprobs: opt(fc.constant(null)),
  },
  { requiredKeys: ["model", "messages"] },
);

/** The body as the server has it: through JSON, as a client sends it. */
const viaJson = (v: unknown) => JSON.parse(JSON.stringify(v)) as Record<string, unknown>;

function agrees(raw: Record<string, unknown>): boolean {
  const fast = checkCommonChatRequest(raw);
  if (fast === null) return false;
  const parsed = chatCompletionRequest.safeParse(raw);
  expect(parsed.success, JSON.stringify(raw)).toBe(true);
  expect(fast).toStrictEqual(parsed.data);
  return true;
}

describe("checkCommonChatRequest", () => {
  it("accepts only what the schema accepts, with the schema's result", () => {
    let accepted = 0;
    let runs = 0;
    fc.assert(
      fc.property(body, (b) => {
        runs++;
        if (agrees(viaJson(b))) accepted++;
      }),
      { numRuns: 3000 },
    );
    // Not a vacuous check: a fair share of the random bodies take the hand path.
    expect(accepted / runs).toBeGreaterThan(0.1);
  });

  it("takes an agent's request (tools, a tool call and its result) and the plain chat request", () => {
    const agent = viaJson({
      model: "deepseek-chat",
      messages: [
        { role: "system", content: "You are a coding agent." },
        { role: "user", content: "Read the README." },
        {
          role: "assistant",
          content: null,
          tool_calls: [{ id: "call_1", type: "function", function: { name: "read_file", arguments: '{"path":"README.md"}' } }],
        },
        { role: "tool", tool_call_id: "call_1", content: "# Unitoken" },
      ],
      tools: [
        {
          type: "function",
          function: { name: "read_file", description: "Read a file", parameters: { type: "object", properties: { path: { type: "string" } } } },
        },
      ],
      tool_choice: "auto",
      stream: true,
      stream_options: { include_usage: true },
      max_tokens: 30,
      temperature: 0.2,
      provider: { sort: "price" },
    });
    expect(agrees(agent)).toBe(true);
    expect(checkCommonChatRequest(agent)).not.toHaveProperty("provider");
    expect(agrees(viaJson({ model: "qwen-plus", messages: [{ role: "user", content: "你好" }] }))).toBe(true);
  });

  it("leaves to the schema what it does not check, and never accepts what the schema refuses", () => {
    const refusedOrLeft = [
      { model: "m", messages: [{ role: "user", content: [{ type: "text", text: "hi" }] }] },
      { model: "m", messages: [{ role: "user", content: "hi" }], response_format: { type: "json_object" } },
      { model: "m", messages: [{ role: "user", content: "hi" }], tool_choice: { type: "function", function: { name: "f" } } },
      { model: "m", messages: [] },
      { model: "", messages: [{ role: "user", content: "hi" }] },
      { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 0 },
      { model: "m", messages: [{ role: "user", content: "hi" }], max_tokens: 2 ** 53 + 2 },
      { model: "m", messages: [{ role: "user", content: "hi" }], n: 2 },
      { model: "m", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "bad name" } }] },
      { model: "m", messages: [{ role: "user", content: "hi" }], tools: [{ type: "function", function: { name: "f" }, extra: 1 }] },
      { model: "m", messages: [{ role: "user", content: "hi" }], stream_options: { include_usage: true, extra: 1 } },
    ];
    for (const b of refusedOrLeft) expect(checkCommonChatRequest(viaJson(b)), JSON.stringify(b)).toBeNull();
    // A key that a copy would turn into a prototype, anywhere the schema copies.
    for (const json of [
      '{"model":"m","messages":[{"role":"user","content":"hi","__proto__":{"x":1}}]}',
      '{"model":"m","messages":[{"role":"user","content":"hi"}],"tools":[{"type":"function","function":{"name":"f","parameters":{"__proto__":{"x":1}}}}]}',
      '{"model":"m","messages":[{"role":"user","content":"hi"}],"__proto__":{"x":1}}',
    ])
      expect(checkCommonChatRequest(JSON.parse(json))).toBeNull();
    // A number JSON reads as infinite.
    expect(checkCommonChatRequest(JSON.parse('{"model":"m","messages":[{"role":"user","content":"hi"}],"temperature":1e400}'))).toBeNull();
  });
});
