import { describe, expect, it } from "vitest";
import { loadMessages } from "./messages";
import { sectionMessages } from "./sections";

describe("section messages", () => {
  const all = loadMessages("zh-CN");
  it("gives sign-in only its own namespaces", () => {
    expect(Object.keys(sectionMessages(all, "auth")).sort()).toEqual(["auth", "common", "errors"]);
  });
  it("keeps the console's and sign-in's strings out of the subscriber's pages, and every other namespace in", () => {
    const app = Object.keys(sectionMessages(all, "app"));
    expect(app).not.toContain("support");
    expect(app).not.toContain("auth");
    expect(app).toEqual(expect.arrayContaining(["common", "errors", "chat", "models", "plans", "bills", "family", "keys"]));
  });
});
