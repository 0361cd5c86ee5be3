import { IntlRoute } from "@/components/intl-section";

export default function Layout({ children }: { children: React.ReactNode }) {
  return <IntlRoute route="assistants">{children}</IntlRoute>;
}
