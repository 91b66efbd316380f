"use client";

import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuGroup,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@parlor/ui/dropdown-menu";
import { toast } from "@parlor/ui/toaster";
import { useQueryClient } from "@tanstack/react-query";
import { LayoutGridIcon, LogOutIcon, SettingsIcon, ShieldIcon } from "lucide-react";
import { useRouter } from "next/navigation";

import { IntentLink } from "@/components/intent-link";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

import { AccountButton } from "./account-button";
import type { NavItem, SignedInUser } from "./nav";

const NAV_ICONS: Record<string, typeof SettingsIcon> = {
  "/": LayoutGridIcon,
  "/settings": SettingsIcon,
  "/admin": ShieldIcon,
};

/** The account menu itself (loaded by `UserMenu`). */
export function AccountMenu({
  user,
  items,
  defaultOpen = false,
}: {
  user: SignedInUser;
  items: NavItem[];
  /** Open at once: someone clicked the stand-in button while this code was loading. */
  defaultOpen?: boolean;
}) {
  const router = useRouter();
  const queryClient = useQueryClient();
  const signOut = api.auth.signOut.useMutation({
    onSuccess: () => {
      queryClient.clear();
      router.replace("/sign-in");
      router.refresh();
    },
    onError: (error) => {
      // A session that already ended is as good as signed out.
      if (describeError(error).code === "UNAUTHORIZED") {
        router.replace("/sign-in");
        router.refresh();
        return;
      }
      toast.error(describeError(error).message);
    },
  });

  return (
    <DropdownMenu defaultOpen={defaultOpen}>
      <DropdownMenuTrigger asChild>
        <AccountButton user={user} />
      </DropdownMenuTrigger>
      <DropdownMenuContent align="end" className="w-60">
        <DropdownMenuLabel className="grid gap-0.5 py-2">
          <span className="truncate text-sm font-medium">{user.name}</span>
          <span className="truncate text-xs font-normal text-muted-foreground">{user.email}</span>
        </DropdownMenuLabel>
        <DropdownMenuSeparator />
        <DropdownMenuGroup>
          {items.map((item) => {
            const Icon = NAV_ICONS[item.href] ?? LayoutGridIcon;
            return (
              <DropdownMenuItem
                key={item.href}
                asChild
                className={item.href === "/settings" ? undefined : "sm:hidden"}
              >
                <IntentLink href={item.href}>
                  <Icon aria-hidden="true" />
                  {item.label}
                </IntentLink>
              </DropdownMenuItem>
            );
          })}
        </DropdownMenuGroup>
        <DropdownMenuSeparator />
        <DropdownMenuItem
          disabled={signOut.isPending}
          onSelect={(event) => {
            event.preventDefault();
            signOut.mutate();
          }}
        >
          <LogOutIcon aria-hidden="true" />
          {signOut.isPending ? "Signing out…" : "Sign out"}
        </DropdownMenuItem>
      </DropdownMenuContent>
    </DropdownMenu>
  );
}
