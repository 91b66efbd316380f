"use client";

import { InitialsAvatar } from "@parlor/ui/avatar";
import type { ComponentProps } from "react";

import type { SignedInUser } from "./nav";

/** The account menu's button: shown until the menu's code is there, then its trigger. */
export function AccountButton({ user, ...props }: { user: SignedInUser } & ComponentProps<"button">) {
  return (
    <button
      type="button"
      className="rounded-full outline-none focus-visible:ring-[3px] focus-visible:ring-ring/50"
      aria-label={`Account menu for ${user.name}`}
      {...props}
    >
      <InitialsAvatar name={user.name} id={user.id} className="size-8" title="" />
    </button>
  );
}
