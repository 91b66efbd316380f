"use client";

import { cn } from "@parlor/ui/lib/utils";
import Link from "next/link";
import { usePathname } from "next/navigation";

const SECTIONS = [
  { href: "/admin", label: "Active rooms" },
  { href: "/admin/users", label: "Users" },
  { href: "/admin/teams", label: "Teams" },
];

/** The site administration's sections, as tabs under the page header. */
export function AdminNav() {
  const pathname = usePathname();
  return (
    <nav aria-label="Site administration" className="-mt-4 mb-8 flex gap-1 border-b">
      {SECTIONS.map((section) => {
        const active = pathname === section.href;
        return (
          <Link
            key={section.href}
            href={section.href}
            prefetch={false}
            aria-current={active ? "page" : undefined}
            className={cn(
              "-mb-px border-b-2 px-3 py-2 text-sm font-medium transition-colors",
              active
                ? "border-primary text-foreground"
                : "border-transparent text-muted-foreground hover:text-foreground",
            )}
          >
            {section.label}
          </Link>
        );
      })}
    </nav>
  );
}
