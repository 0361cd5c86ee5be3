// @vitest-environment happy-dom
import * as React from "react";
import { renderToString } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { Dialog, DialogClose, DialogTrigger } from "./dialog";

/**
 * What a server component's button becomes when React outlines it in the page's payload (it met
 * the same element more than once): a lazy reference whose payload is the resolved element.
 */
function outlined(el: React.ReactElement): React.ReactNode {
  const payload = Object.assign(Promise.resolve(el), { status: "fulfilled", value: el });
  return { $$typeof: Symbol.for("react.lazy"), _payload: payload, _init: () => el } as unknown as React.ReactNode;
}

describe("DialogTrigger and DialogClose", () => {
  it("give their one child the trigger's attributes, also when it arrives as an outlined (lazy) element", () => {
    for (const child of [<button key="a">升级</button>, outlined(<button>Upgrade</button>)]) {
      const html = renderToString(
        <Dialog open={false} onOpenChange={() => {}}>
          <DialogTrigger asChild>{child}</DialogTrigger>
          <DialogClose asChild>{child}</DialogClose>
        </Dialog>,
      );
      expect(html).toMatch(/<button aria-haspopup="dialog" aria-expanded="false">(升级|Upgrade)<\/button>/);
      expect(html.match(/<button/g)).toHaveLength(2);
    }
  });

  it("still refuse more than one child", () => {
    expect(() =>
      renderToString(
        <Dialog open={false} onOpenChange={() => {}}>
          <DialogTrigger asChild>
            <button>a</button>
            <button>b</button>
          </DialogTrigger>
        </Dialog>,
      ),
    ).toThrow(/single React element/);
  });
});
