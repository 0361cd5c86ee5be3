import { z } from "zod";

/** "" (a cleared filter field) is no filter. */
const blank = (v: unknown) => (v === "" ? undefined : v);

/** A real calendar day, YYYY-MM-DD (2026-13-45 is not one). */
const isoDay = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/)
  .refine((d) => {
    const t = new Date(`${d}T00:00:00Z`);
    return !Number.isNaN(t.getTime()) && t.toISOString().slice(0, 10) === d;
  });

export const MAX_BILL_PAGE = 100_000;

export const billIdSchema = z.string().uuid();

/**
 * The bill page's and the CSV export's query: a model id, a day, a page number. Anything else
 * (a repeated parameter, 1e20, a day that does not exist) is refused, not passed to the database.
 */
export const billQuerySchema = z.object({
  model: z.preprocess(blank, z.string().max(200).optional()),
  day: z.preprocess(blank, isoDay.optional()),
  page: z.preprocess(
    blank,
    z
      .string()
      .regex(/^\d{1,6}$/)
      .transform(Number)
      .pipe(z.number().int().min(1).max(MAX_BILL_PAGE))
      .optional(),
  ),
});

export type BillQuery = z.infer<typeof billQuerySchema>;
