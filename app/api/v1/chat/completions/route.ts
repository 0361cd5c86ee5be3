import { gateway } from "../../gateway";

export const dynamic = "force-dynamic";

export function POST(req: Request): Promise<Response> {
  return gateway().chatCompletions(req);
}
