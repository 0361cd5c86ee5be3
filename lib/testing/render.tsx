import { act, type ReactNode } from "react";
import { createRoot } from "react-dom/client";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { NextIntlClientProvider } from "next-intl";
import { loadMessages } from "@/lib/i18n/messages";

/**
 * Renders a component as the app does (a fresh data cache, the Chinese messages, Shanghai time)
 * into a new element in the document, inside act. Component tests unmount it when they end.
 */
export async function mountInApp(node: ReactNode): Promise<{ host: HTMLDivElement; unmount: () => void }> {
  (globalThis as { IS_REACT_ACT_ENVIRONMENT?: boolean }).IS_REACT_ACT_ENVIRONMENT = true;
  const host = document.createElement("div");
  document.body.append(host);
  const root = createRoot(host);
  await act(async () => {
    root.render(
      <QueryClientProvider client={new QueryClient()}>
        <NextIntlClientProvider locale="zh-CN" messages={loadMessages("zh-CN")} timeZone="Asia/Shanghai">
          {node}
        </NextIntlClientProvider>
      </QueryClientProvider>,
    );
  });
  return { host, unmount: () => act(() => root.unmount()) };
}
