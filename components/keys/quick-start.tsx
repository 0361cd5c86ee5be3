"use client";
import { useState } from "react";
import { useTranslations } from "next-intl";
import { Check, Copy } from "lucide-react";
import { Card, CardDescription, CardTitle } from "@/components/ui/card";
import { Button } from "@/components/ui/button";

export function QuickStart({ baseUrl }: { baseUrl: string }) {
  const t = useTranslations("keys");
  const [copied, setCopied] = useState(false);
  const snippet = `from openai import OpenAI

client = OpenAI(base_url="${baseUrl}", api_key="ut-…")
reply = client.chat.completions.create(
    model="deepseek-chat",
    messages=[{"role": "user", "content": "你好"}],
)`;
  return (
    <Card className="space-y-3">
      <div>
        <CardTitle>{t("quickStart")}</CardTitle>
        <CardDescription className="mt-1">{t("quickStartHint")}</CardDescription>
      </div>
      <div className="flex items-center gap-2 rounded-xl bg-slate-50 p-2 pl-3 ring-1 ring-slate-200">
        <span className="shrink-0 text-xs text-slate-500">{t("baseUrl")}</span>
        <code className="min-w-0 flex-1 truncate font-mono text-xs text-slate-900" data-testid="base-url">
          {baseUrl}
        </code>
        <Button
          size="sm"
          variant="secondary"
          onClick={async () => {
            try {
              await navigator.clipboard.writeText(baseUrl);
            } catch {
              /* clipboard blocked */
            }
            setCopied(true);
          }}
        >
          {copied ? <Check /> : <Copy />} {copied ? t("copied") : t("copy")}
        </Button>
      </div>
      <pre className="overflow-x-auto rounded-xl bg-slate-900 p-3 font-mono text-xs leading-relaxed text-slate-100">{snippet}</pre>
      <p className="text-xs text-slate-500">{t("sharedBalance")}</p>
    </Card>
  );
}
