"use client";

/**
 * What the call shows only when someone asks for it — its menus and dialogs, with Radix's focus
 * trap, layers and popper. Kept out of the call's first load: ./on-demand-ui.tsx loads this once
 * the call has connected (the browser idle), or at the first click that needs it.
 */
import {
  DropdownMenu,
  DropdownMenuContent,
  DropdownMenuItem,
  DropdownMenuLabel,
  DropdownMenuSeparator,
  DropdownMenuTrigger,
} from "@parlor/ui/dropdown-menu";
import type { ComponentProps, ReactElement, ReactNode } from "react";

export { ConfirmDialog } from "@/components/confirm-dialog";
export { GuestLinksDialog } from "@/features/guest/guest-links-dialog";
export { EncryptionDetailsDialog } from "../e2ee/encryption-details";
export { RoomSettingsDialog } from "./room-settings-dialog";
export { ShortcutsDialog } from "./shortcuts-dialog";

export {
  DropdownMenuItem as MenuItem,
  DropdownMenuLabel as MenuLabel,
  DropdownMenuSeparator as MenuSeparator,
};

/** A menu opened from `trigger` (open at once when `defaultOpen`: the click that loaded it). */
export function Menu({
  trigger,
  defaultOpen,
  children,
  ...content
}: {
  trigger: ReactElement;
  defaultOpen: boolean;
  children: ReactNode;
} & Pick<ComponentProps<typeof DropdownMenuContent>, "side" | "align" | "className">) {
  return (
    <DropdownMenu defaultOpen={defaultOpen}>
      <DropdownMenuTrigger asChild>{trigger}</DropdownMenuTrigger>
      <DropdownMenuContent {...content}>{children}</DropdownMenuContent>
    </DropdownMenu>
  );
}
