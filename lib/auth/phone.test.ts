import { describe, expect, it } from "vitest";
import { phoneSchema, phoneSchemaFor } from "./phone";
import { DEMO_ACCOUNTS } from "@/lib/demo/seed/accounts";

describe("phone numbers", () => {
  it("refuses every demo account's number outside demo mode, staff included", () => {
    for (const a of DEMO_ACCOUNTS) {
      expect(phoneSchema.safeParse(a.phone).success, a.phone).toBe(false);
      expect(phoneSchema.safeParse(`+86 ${a.phone.slice(0, 3)} ${a.phone.slice(3, 7)} ${a.phone.slice(7)}`).success).toBe(false);
      expect(phoneSchemaFor({ demo: false }).safeParse(a.phone).success).toBe(false);
    }
  });

  it("accepts the demo numbers in demo mode, and real numbers either way", () => {
    for (const a of DEMO_ACCOUNTS) expect(phoneSchemaFor({ demo: true }).parse(a.phone)).toBe(a.phone);
    for (const demo of [true, false]) {
      expect(phoneSchemaFor({ demo }).parse("+86 138-0013-8000")).toBe("13800138000");
      expect(phoneSchemaFor({ demo }).safeParse("12800138000").success).toBe(false);
    }
  });
});
