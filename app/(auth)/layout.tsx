import { IntlSection } from "@/components/intl-section";

/** Sign-in: its own translations and no data cache (its form posts server actions directly). */
export default function AuthLayout({ children }: { children: React.ReactNode }) {
  return <IntlSection section="auth">{children}</IntlSection>;
}
