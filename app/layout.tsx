import type { Metadata, Viewport } from "next";
import { getLocale } from "next-intl/server";
import { connection } from "next/server";
import { env } from "@/lib/server/env";
import { DemoBanner } from "@/components/shell/demo-banner";
import "./globals.css";

export const metadata: Metadata = {
  title: { default: "Unitoken · 一个账号，畅用所有 AI 模型", template: "%s · Unitoken" },
  description: "Token plans on your phone bill, spent on any of 300+ AI models.",
  icons: { icon: "/icon.svg" },
};

export const viewport: Viewport = {
  width: "device-width",
  initialScale: 1,
  viewportFit: "cover",
  interactiveWidget: "resizes-content",
  themeColor: "#2553eb",
};

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  // Every page renders per request: its scripts carry the request's CSP nonce (proxy.ts).
  await connection();
  const locale = await getLocale();
  // No client providers here: each section's layout brings its own (translations it uses, data
  // cache where it fetches), so a page loads only what its section needs.
  return (
    <html lang={locale}>
      <body className="min-h-dvh font-sans">
        {env.demoPublic ? <DemoBanner /> : null}
        {children}
      </body>
    </html>
  );
}
