import type { RouterOutputs } from "@parlor/api";

/** The signed-in user the app shell shows, and the main navigation's items (header and account menu). */
export type SignedInUser = NonNullable<RouterOutputs["auth"]["me"]>;

export interface NavItem {
  href: string;
  label: string;
  /** Whether the item is the current section. */
  match: (pathname: string) => boolean;
}

export function navItems(user: SignedInUser): NavItem[] {
  const items: NavItem[] = [
    { href: "/", label: "Teams", match: (p) => p === "/" || p.startsWith("/t/") },
    { href: "/settings", label: "Settings", match: (p) => p.startsWith("/settings") },
  ];
  if (user.isAdmin) items.push({ href: "/admin", label: "Admin", match: (p) => p.startsWith("/admin") });
  return items;
}
