import { describe, expect, it } from "vitest";
import { loadMessages } from "./messages";
import { mergeMessages, pickMessages, ROUTE_MESSAGES, sectionMessages } from "./sections";

describe("section messages", () => {
  const all = loadMessages("zh-CN");
  it("gives sign-in only its own namespaces", () => {
    expect(Object.keys(sectionMessages(all, "auth")).sort()).toEqual(["auth", "common", "errors"]);
  });
  it("gives the subscriber's shell only the shell's messages: no page's namespace, no console, no sign-in", () => {
    const app = sectionMessages(all, "app");
    expect(Object.keys(app).sort()).toEqual(["common", "family", "spend"]);
    expect(Object.keys(app.family as object)).toEqual(["invitations"]);
    expect(Object.keys(app.spend as object)).toEqual(["balance"]);
    for (const ns of ["chat", "models", "plans", "bills", "keys", "support", "auth"]) expect(app).not.toHaveProperty(ns);
  });
  it("keeps the sign-in strings out of the console, and every other namespace in", () => {
    const support = Object.keys(sectionMessages(all, "support"));
    expect(support).not.toContain("auth");
    expect(support).toEqual(expect.arrayContaining(["common", "errors", "support", "disputes"]));
  });
  it("picks a namespace or a part of one, in its place, and skips a path that does not exist", () => {
    const picked = pickMessages(all, ["keys", "spend.quote", "spend.confirm", "nope.nothing"]);
    expect(picked).toEqual({
      keys: all.keys,
      spend: { quote: (all.spend as Record<string, unknown>).quote, confirm: (all.spend as Record<string, unknown>).confirm },
    });
  });
  it("lays a route's messages over the shell's part by part, never into a message", () => {
    const shell = sectionMessages(all, "app");
    const merged = mergeMessages(shell, pickMessages(all, ROUTE_MESSAGES.settings));
    expect(Object.keys(merged.spend as object).sort()).toEqual(["balance", "errors", "threshold"]);
    expect(merged.common).toBe(shell.common);
    expect(mergeMessages({ a: { m: ["x", ["n"]] } }, { a: { m: ["y"] } })).toEqual({ a: { m: ["y"] } });
  });
});
