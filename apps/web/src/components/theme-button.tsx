"use client";

import { Button, type ButtonProps } from "@parlor/ui/button";
import { MoonIcon, SunIcon } from "lucide-react";

/** The theme menu's button: what the page shows until the menu's code is there, then its trigger. */
export function ThemeButton(props: ButtonProps) {
  return (
    <Button variant="ghost" size="icon" aria-label="Theme" {...props}>
      <SunIcon className="size-[18px] dark:hidden" aria-hidden="true" />
      <MoonIcon className="hidden size-[18px] dark:block" aria-hidden="true" />
    </Button>
  );
}
