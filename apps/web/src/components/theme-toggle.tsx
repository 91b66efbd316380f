"use client";

import { Button, type ButtonProps } from "@parlor/ui/button";
import { MoonIcon, SunIcon } from "lucide-react";
import { useState } from "react";

import { deferredComponent } from "@/lib/deferred-component";

/** The theme menu's button: what the page shows until the menu's code is there, then its trigger. */
export function ThemeButton(props: ButtonProps) {
  return (
    <Button variant="ghost" size="icon" aria-label="Theme" {...props}>
      <SunIcon className="size-[18px] dark:hidden" aria-hidden="true" />
      <MoonIcon className="hidden size-[18px] dark:block" aria-hidden="true" />
    </Button>
  );
}

const useThemeMenu = deferredComponent(() => import("./theme-menu").then((m) => m.ThemeMenu));

/**
 * Light, dark or the system's choice. The menu (Radix's dropdown and its positioning) loads after
 * the page is interactive, so no page waits for it to show its first screen; a click on the
 * button before then opens the menu once it has loaded.
 */
export function ThemeToggle() {
  const { Component: ThemeMenu, retry } = useThemeMenu();
  const [openWhenLoaded, setOpenWhenLoaded] = useState(false);
  if (ThemeMenu) return <ThemeMenu defaultOpen={openWhenLoaded} />;
  return (
    <ThemeButton
      aria-haspopup="menu"
      onClick={() => {
        setOpenWhenLoaded(true);
        retry();
      }}
    />
  );
}
