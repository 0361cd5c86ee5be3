import { renderToStaticMarkup } from "react-dom/server";
import { describe, expect, it } from "vitest";
import { RouteLine } from "./route-line";

describe("the support console's route line", () => {
  it("lists every try of a failed-over request in order; a single try shows the route only", () => {
    const failedOver = renderToStaticMarkup(
      <RouteLine
        via="经 moonshotai"
        tried="试了 2 条线路"
        attempts={[
          { provider: "moonshotai-cn", outcome: "upstream_unavailable", ms: 2 },
          { provider: "moonshotai", outcome: "ok", ms: 310 },
        ]}
      />,
    );
    expect(failedOver).toContain("moonshotai-cn: upstream_unavailable · 2 ms → moonshotai: ok · 310 ms");
    expect(failedOver).toContain("试了 2 条线路");
    const single = renderToStaticMarkup(<RouteLine via="经 deepseek" tried={null} attempts={[{ provider: "deepseek", outcome: "ok", ms: 200 }]} />);
    expect(single).toContain("经 deepseek");
    expect(single).not.toContain("usage-route-attempts");
  });
});
