// @vitest-environment happy-dom
import { describe, expect, it } from "vitest";
import { inAppHref, type LinkClick } from "./use-delegated-links";

const origin = "http://app.test";
const here = { origin, href: `${origin}/bills/b1?page=2` };

function setup() {
  document.body.innerHTML = `
    <ul id="root">
      <li><a id="card" href="/models/qwen3-max"><h2 id="inner">通义千问 3 Max</h2></a></li>
      <li><a id="query" href="/models?page=2#list">下一页</a></li>
      <li><a id="blank" href="/models/x" target="_blank">x</a></li>
      <li><a id="self" href="/models/y" target="_self">y</a></li>
      <li><a id="download" href="/bills/1/export" download>导出</a></li>
      <li><a id="away" href="https://elsewhere.test/models">elsewhere</a></li>
      <li><a id="nohref">no href</a></li>
      <li><a id="relative" href="?page=3#usage">下一页</a></li>
      <li><a id="hash" href="#usage">用量</a></li>
      <li><span id="plain">text</span></li>
    </ul>
    <a id="outside" href="/chat">outside</a>`;
  return document.getElementById("root")!;
}

const click = (id: string, over: Partial<LinkClick> = {}): LinkClick => ({
  defaultPrevented: false,
  button: 0,
  metaKey: false,
  ctrlKey: false,
  shiftKey: false,
  altKey: false,
  target: document.getElementById(id),
  ...over,
});

describe("inAppHref", () => {
  it("follows a plain click on a same-origin link inside the element, also from the link's content", () => {
    const root = setup();
    expect(inAppHref(click("card"), root, here)).toBe("/models/qwen3-max");
    expect(inAppHref(click("inner"), root, here)).toBe("/models/qwen3-max");
    expect(inAppHref(click("query"), root, here)).toBe("/models?page=2#list");
    expect(inAppHref(click("self"), root, here)).toBe("/models/y");
    // A relative address is read against the current page, as the browser reads it.
    expect(inAppHref(click("relative"), root, here)).toBe("/bills/b1?page=3#usage");
    expect(inAppHref(click("hash"), root, here)).toBe("/bills/b1?page=2#usage");
  });

  it("leaves new tabs, new windows, downloads and other buttons to the browser", () => {
    const root = setup();
    for (const over of [{ metaKey: true }, { ctrlKey: true }, { shiftKey: true }, { altKey: true }, { button: 1 }, { defaultPrevented: true }])
      expect(inAppHref(click("card", over), root, here)).toBeNull();
    expect(inAppHref(click("blank"), root, here)).toBeNull();
    expect(inAppHref(click("download"), root, here)).toBeNull();
  });

  it("leaves other origins, links without an address, non-links and links outside the element alone", () => {
    const root = setup();
    expect(inAppHref(click("away"), root, here)).toBeNull();
    expect(inAppHref(click("nohref"), root, here)).toBeNull();
    expect(inAppHref(click("plain"), root, here)).toBeNull();
    expect(inAppHref(click("outside"), root, here)).toBeNull();
    expect(inAppHref({ ...click("card"), target: null }, root, here)).toBeNull();
  });
});
