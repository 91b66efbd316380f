"use client";

import { useState } from "react";

import { deferredComponent } from "@/lib/deferred-component";

import { ThemeButton } from "./theme-button";

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
