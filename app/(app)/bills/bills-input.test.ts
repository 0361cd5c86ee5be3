import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { eq } from "drizzle-orm";
import { createTestDb } from "@/lib/testing/db";
import type { Database } from "@/lib/db/types";
import { bill } from "@/lib/db/schema";
import { makeUser, recordUsage } from "@/lib/testing/support";

// Hostile input on a bill gets a 4xx (the page: not found), never a 500 from the database.

let db: Database;
let close: () => Promise<void>;
let me: { id: string; phone: string; name: null; role: "subscriber"; locale: null; sessionId: string };
let billId: string;

vi.mock("@/lib/server/db", () => ({ getDb: async () => db }));
vi.mock("@/lib/server/session", () => ({ getCurrentUser: async () => me, requireUser: async () => me }));
vi.mock("next/navigation", () => ({
  notFound: () => {
    throw new Error("NEXT_NOT_FOUND");
  },
  redirect: () => {
    throw new Error("NEXT_REDIRECT");
  },
}));
vi.mock("next-intl/server", () => ({ getLocale: async () => "zh-CN", getTranslations: async () => (k: string) => k }));

const { GET } = await import("@/app/api/bills/[id]/csv/route");
const BillPage = (await import("./[id]/page")).default;

beforeAll(async () => {
  ({ db, close } = await createTestDb());
  const now = new Date();
  const id = await makeUser(db, { phone: "13912345670", name: "测试", now });
  me = { id, phone: "13912345670", name: null, role: "subscriber", locale: null, sessionId: "s" };
  await recordUsage(db, { userId: id, now, key: "b1" });
  [{ id: billId }] = await db.select({ id: bill.id }).from(bill).where(eq(bill.userId, id));
});
afterAll(() => close());

const csv = (id: string, qs: string) => GET(new Request(`http://127.0.0.1:3000/api/bills/${id}/csv${qs}`), { params: Promise.resolve({ id }) });
const page = (id: string, sp: Record<string, string | string[]>) => BillPage({ params: Promise.resolve({ id }), searchParams: Promise.resolve(sp) });

describe("bill input", () => {
  it("CSV: a day that does not exist is a 400, a non-id a 404; a good query is a CSV", async () => {
    for (const qs of ["?day=2026-13-45", "?day=2026-02-30", "?day=9999-99-99", "?day=2026-01-01&day=2026-01-02"])
      expect((await csv(billId, qs)).status, qs).toBe(400);
    expect((await csv("not-a-bill", "")).status).toBe(404);
    const ok = await csv(billId, "?day=");
    expect(ok.status).toBe(200);
    expect(ok.headers.get("content-type")).toContain("text/csv");
  });

  it("page: a day that does not exist, a huge or odd page, a repeated parameter or a non-id is not found", async () => {
    for (const sp of [
      { day: "2026-13-45" } as Record<string, string | string[]>,
      { page: "1e20" },
      { page: "100000000000000000000" },
      { page: "-1" },
      { model: ["a", "b"] },
    ]) {
      await expect(page(billId, sp), JSON.stringify(sp)).rejects.toThrow("NEXT_NOT_FOUND");
    }
    await expect(page("not-a-bill", {})).rejects.toThrow("NEXT_NOT_FOUND");
  });

  it("page: a plain or empty query renders", async () => {
    await expect(page(billId, {})).resolves.toBeTruthy();
    await expect(page(billId, { day: "", model: "", page: "2" })).resolves.toBeTruthy();
  });
});
