import { gateway } from "../gateway";

export const dynamic = "force-dynamic";

export function GET(req: Request): Promise<Response> {
  return gateway().models(req);
}
