import type { Database } from "@/lib/db/types";
import { formatYuan } from "@/lib/core/format";
import { getBill, listBillUsage, type UsageFilter } from "./bills";

function cell(v: string | number | bigint | null | undefined): string {
  const s = v === null || v === undefined ? "" : String(v);
  // Quote when needed; neutralise leading = + - @ so a spreadsheet never runs a formula.
  const safe = /^[=+\-@]/.test(s) && !/^-?\d/.test(s) ? `'${s}` : s;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

const fmtTime = (d: Date) => new Date(d.getTime() + 8 * 3_600_000).toISOString().replace("T", " ").slice(0, 19);

/**
 * A bill as CSV for Excel: UTF-8 with a BOM so Chinese shows, line items first, then every
 * usage row. Null when the bill is not the user's.
 */
export async function billCsv(
  db: Database,
  { billId, userId, filter }: { billId: string; userId: string; filter?: UsageFilter },
): Promise<{ filename: string; body: string } | null> {
  const detail = await getBill(db, { billId, userId, filter });
  if (!detail) return null;
  const out: string[] = [];
  const row = (...cells: (string | number | bigint | null | undefined)[]) => out.push(cells.map(cell).join(","));
  row("账单周期 Cycle", detail.bill.cycle);
  row("合计 Total", formatYuan(detail.bill.totalFen));
  row();
  row("类型 Kind", "说明 Description", "金额 Amount (¥)", "时间 Time (UTC+8)");
  for (const l of detail.lines) row(l.kind, l.description, formatYuan(l.amountFen).replace("¥", ""), fmtTime(l.createdAt));
  row();
  // Cached is part of In and reasoning part of Out; empty when the provider did not report them.
  row(
    "时间 Time (UTC+8)",
    "模型 Model",
    "输入 tokens In",
    "其中缓存 tokens Cached",
    "输出 tokens Out",
    "其中推理 tokens Reasoning",
    "套餐 tokens Plan",
    "状态 Status",
    "会话 Conversation",
    "已退款 Refunded",
  );
  for (let page = 1; ; page++) {
    const r = await listBillUsage(db, { billId, userId, filter, page, pageSize: 1000 });
    if (!r) break;
    for (const u of r.rows)
      row(
        fmtTime(u.createdAt),
        u.modelId,
        u.tokensIn,
        u.tokensCached,
        u.tokensOut,
        u.tokensReasoning,
        u.planTokens,
        u.status,
        u.conversationId,
        u.refunded ? "yes" : "",
      );
    if (page * r.pageSize >= r.total) break;
  }
  return { filename: `unitoken-bill-${detail.bill.cycle}.csv`, body: "\uFEFF" + out.join("\r\n") + "\r\n" };
}
