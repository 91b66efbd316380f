"use client";

import { useState } from "react";

import { deferredComponent } from "@/lib/deferred-component";

import { AccountButton } from "./account-button";
import type { NavItem, SignedInUser } from "./nav";

const useAccountMenu = deferredComponent(() => import("./user-menu-content").then((m) => m.AccountMenu));

/**
 * The account menu (pages, sign out). Its code (Radix's dropdown and its positioning) loads once
 * the page is interactive, so no page waits for it to show its first screen; until then the
 * button is there, and a click on it opens the menu once it has loaded.
 */
export function UserMenu({ user, items }: { user: SignedInUser; items: NavItem[] }) {
  const { Component: AccountMenu, retry } = useAccountMenu();
  // A click before the menu's code is there is not lost: the menu opens as soon as it arrives.
  const [openWhenLoaded, setOpenWhenLoaded] = useState(false);
  if (AccountMenu) return <AccountMenu user={user} items={items} defaultOpen={openWhenLoaded} />;
  return (
    <AccountButton
      user={user}
      aria-haspopup="menu"
      onClick={() => {
        setOpenWhenLoaded(true);
        retry();
      }}
    />
  );
}
