import { redirect } from "next/navigation";
import { getCurrentUser } from "@/lib/server/session";

export const dynamic = "force-dynamic";

export default async function Home() {
  const user = await getCurrentUser();
  redirect(user ? (user.role === "support" ? "/support" : "/chat") : "/login");
}
