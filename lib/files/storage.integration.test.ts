import { afterAll, beforeAll, expect, it } from "vitest";
import { randomBytes } from "node:crypto";
import { createPgTestDb } from "@/lib/testing/pg-db";
import { makePng } from "@/lib/testing/files";
import type { Database } from "@/lib/db/types";
import { user } from "@/lib/db/schema";
import { databaseStore, uploadAttachment } from ".";

let db: Database;
let close: () => Promise<void>;
beforeAll(async () => {
  ({ db, close } = await createPgTestDb());
});
afterAll(async () => close?.());

it("on PostgreSQL: an attachment's bytes round-trip through bytea, and only its owner reads them", async () => {
  const [a, b] = await db
    .insert(user)
    .values([{ phone: "13944450001" }, { phone: "13944450002" }])
    .returning();
  const png = Buffer.concat([makePng(40, 30), randomBytes(3000)]);
  const up = await uploadAttachment(db, databaseStore, { userId: a!.id, name: "图.png", bytes: png, now: new Date() });
  if (!up.ok) throw new Error(up.code);
  expect(up.attachment).toMatchObject({ width: 40, height: 30, byteSize: png.length });
  const got = await databaseStore.get(db, { ownerUserId: a!.id, id: up.attachment.id });
  expect(Buffer.from(got!.content).equals(png)).toBe(true);
  expect(await databaseStore.get(db, { ownerUserId: b!.id, id: up.attachment.id })).toBeNull();
});
