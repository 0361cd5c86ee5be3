import { describe, expect, it } from "vitest";
import { messagesRequest, toChatRequest, unsupportedMessagesParam } from "./anthropic";
import { chatCompletionRequest } from "./request";

// The Messages request as the gateway's chat request: nothing the client sent is lost on the way.

describe("toChatRequest", () => {
  it("translates system, tool_use, tool_result (with images) and tool settings", () => {
    const r = messagesRequest.parse({
      model: "deepseek-chat",
      max_tokens: 100,
      system: [
        { type: "text", text: "You are a coding agent.", cache_control: { type: "ephemeral" } },
        { type: "text", text: "Be brief." },
      ],
      messages: [
        { role: "user", content: "Look at the screenshot" },
        {
          role: "assistant",
          content: [
            { type: "text", text: "Taking it." },
            { type: "tool_use", id: "toolu_1", name: "screenshot", input: { page: "/plans" } },
          ],
        },
        {
          role: "user",
          content: [
            {
              type: "tool_result",
              tool_use_id: "toolu_1",
              content: [
                { type: "text", text: "captured" },
                { type: "image", source: { type: "base64", media_type: "image/png", data: "iVBORw0KGgo=" } },
              ],
            },
            { type: "text", text: "What do you see?" },
          ],
        },
      ],
      tools: [{ name: "screenshot", input_schema: { type: "object", properties: { page: { type: "string" } } } }],
      tool_choice: { type: "any", disable_parallel_tool_use: true },
      stop_sequences: ["END"],
      metadata: { user_id: "dev-7" },
      temperature: 0.3,
    });
    const chat = toChatRequest(r);
    expect(chatCompletionRequest.safeParse(chat).success).toBe(true);
    expect(chat.messages).toEqual([
      { role: "system", content: "You are a coding agent.\n\nBe brief." },
      { role: "user", content: "Look at the screenshot" },
      {
        role: "assistant",
        content: "Taking it.",
        tool_calls: [{ id: "toolu_1", type: "function", function: { name: "screenshot", arguments: '{"page":"/plans"}' } }],
      },
      { role: "tool", tool_call_id: "toolu_1", content: "captured" },
      {
        role: "user",
        content: [
          { type: "image_url", image_url: { url: "data:image/png;base64,iVBORw0KGgo=" } },
          { type: "text", text: "What do you see?" },
        ],
      },
    ]);
    expect(chat).toMatchObject({
      tool_choice: "required",
      parallel_tool_calls: false,
      stop: ["END"],
      user: "dev-7",
      temperature: 0.3,
      max_tokens: 100,
      tools: [{ type: "function", function: { name: "screenshot", parameters: { type: "object", properties: { page: { type: "string" } } } } }],
    });
  });

  it("names a tool error, a forced tool, and refuses what it cannot serve", () => {
    const chat = toChatRequest(
      messagesRequest.parse({
        model: "m",
        max_tokens: 5,
        messages: [
          { role: "assistant", content: [{ type: "tool_use", id: "t", name: "run", input: {} }] },
          { role: "user", content: [{ type: "tool_result", tool_use_id: "t", content: "boom", is_error: true }] },
        ],
        tool_choice: { type: "tool", name: "run" },
        tools: [{ name: "run", input_schema: { type: "object" } }],
      }),
    );
    expect(chat.messages.at(-1)).toEqual({ role: "tool", tool_call_id: "t", content: "Error: boom" });
    expect(chat.tool_choice).toEqual({ type: "function", function: { name: "run" } });
    expect(unsupportedMessagesParam({ model: "m", top_k: 3 })).toMatchObject({ param: "top_k" });
    expect(unsupportedMessagesParam({ model: "m", frob: 1 })).toMatchObject({ param: "frob" });
    expect(
      messagesRequest.safeParse({ model: "m", max_tokens: 5, messages: [{ role: "user", content: "x" }], thinking: { type: "enabled", budget_tokens: 1024 } })
        .success,
    ).toBe(false);
  });
});
