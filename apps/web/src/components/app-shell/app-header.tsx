"use client";

import { cn } from "@parlor/ui/lib/utils";
import { usePathname } from "next/navigation";

import { IntentLink } from "@/components/intent-link";
import { ThemeToggle } from "@/components/theme-toggle";
import { Wordmark } from "@/components/wordmark";

import { navItems, type SignedInUser } from "./nav";
import { UserMenu } from "./user-menu";

export function AppHeader({ user }: { user: SignedInUser }) {
  const pathname = usePathname();
  const items = navItems(user);
  return (
    <header className="sticky top-0 z-40 border-b bg-background/85 backdrop-blur supports-[backdrop-filter]:bg-background/70">
      <div className="mx-auto flex h-14 max-w-6xl items-center gap-6 px-4 sm:px-6">
        <Wordmark />
        <nav aria-label="Main" className="hidden items-center gap-1 sm:flex">
          {items.map((item) => {
            const active = item.match(pathname);
            return (
              <IntentLink
                key={item.href}
                href={item.href}
                aria-current={active ? "page" : undefined}
                className={cn(
                  "rounded-md px-3 py-1.5 text-sm font-medium transition-colors",
                  active ? "bg-accent text-foreground" : "text-muted-foreground hover:text-foreground",
                )}
              >
                {item.label}
              </IntentLink>
            );
          })}
        </nav>
        <div className="ml-auto flex items-center gap-1">
          <ThemeToggle />
          <UserMenu user={user} items={items} />
        </div>
      </div>
    </header>
  );
}
