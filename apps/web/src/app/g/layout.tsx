import type { ReactNode } from "react";

import { ThemeToggle } from "@/components/theme-toggle";
import { Wordmark } from "@/components/wordmark";

/** Guest pages: no account, no app navigation; the call fills the rest of the screen. */
export default function GuestLayout({ children }: { children: ReactNode }) {
  return (
    <div className="flex min-h-dvh flex-col">
      <header className="flex h-14 items-center justify-between border-b px-4 sm:px-6">
        <Wordmark />
        <ThemeToggle />
      </header>
      <main className="flex-1">{children}</main>
    </div>
  );
}
