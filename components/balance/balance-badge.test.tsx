// @vitest-environment happy-dom
import { act } from "react";
import { afterEach, describe, expect, it } from "vitest";
import { mountInApp } from "@/lib/testing/render";
import { answerAction } from "@/lib/testing/action-stubs";
import type { BalanceView } from "@/app/actions/balance";
import type { InvitationNoticeView } from "@/app/actions/family";
import { BalanceBadge } from "./balance-badge";
import { FamilyInvitationNotice } from "@/components/family/invitation-notice";

const balance: BalanceView = { walletId: "w1", kind: "personal", available: "15499600", held: "0", total: "15499600", buckets: [] };
const invitation: InvitationNoticeView = { id: "i1", inviterName: "王芳", inviterPhone: "138****0003", expiresAt: "2026-06-01T00:00:00.000Z" };

let unmount: (() => void) | null = null;
afterEach(() => {
  unmount?.();
  unmount = null;
});

function counting<T>(name: string, answer: T): { calls: number } {
  const c = { calls: 0 };
  answerAction(name, async () => {
    c.calls++;
    return answer;
  });
  return c;
}

describe("the app shell renders with the page's data", () => {
  it("shows the page's balance and asks for none while it hydrates", async () => {
    const asked = counting("getMyBalance", { ok: true, balance: { ...balance, available: "1" } });
    const m = await mountInApp(<BalanceBadge initial={balance} />);
    unmount = m.unmount;
    await act(() => new Promise((r) => setTimeout(r, 50)));
    const badge = m.host.querySelector('[data-testid="balance"]')!;
    expect(badge.textContent).toContain("1549.96万");
    expect(badge.getAttribute("data-tokens")).toBe("15499600");
    expect(asked.calls).toBe(0);
  });

  it("asks for the balance when the page had none", async () => {
    const asked = counting("getMyBalance", { ok: true, balance });
    const m = await mountInApp(<BalanceBadge />);
    unmount = m.unmount;
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(asked.calls).toBe(1);
    expect(m.host.querySelector('[data-testid="balance"]')!.textContent).toContain("1549.96万");
  });

  it("shows the page's family invitation without asking", async () => {
    const asked = counting("getMyFamilyInvitations", { ok: true, invitations: [] });
    const m = await mountInApp(<FamilyInvitationNotice initial={[invitation]} />);
    unmount = m.unmount;
    await act(() => new Promise((r) => setTimeout(r, 50)));
    expect(m.host.querySelector('[data-testid="family-invitation-notice"]')?.textContent).toContain("王芳");
    expect(asked.calls).toBe(0);
  });
});
