import { ChevronDownIcon } from "lucide-react";
import type * as React from "react";

import { cn } from "./lib/utils";

export const selectTriggerClassName =
  "flex w-fit items-center justify-between gap-2 rounded-md border border-input bg-transparent px-3 py-2 text-sm whitespace-nowrap shadow-xs transition-[color,box-shadow] outline-none focus-visible:border-ring focus-visible:ring-[3px] focus-visible:ring-ring/50 disabled:cursor-not-allowed disabled:opacity-50 aria-invalid:border-destructive aria-invalid:ring-destructive/20 data-[placeholder]:text-muted-foreground data-[size=default]:h-9 data-[size=sm]:h-8 *:data-[slot=select-value]:line-clamp-1 *:data-[slot=select-value]:flex *:data-[slot=select-value]:items-center *:data-[slot=select-value]:gap-2 dark:bg-input/30 dark:hover:bg-input/50 [&_svg]:pointer-events-none [&_svg]:shrink-0 [&_svg:not([class*='size-'])]:size-4 [&_svg:not([class*='text-'])]:text-muted-foreground";

/**
 * A select's trigger without the select (Radix's, with its list and positioning): shown where a
 * picker's code is still loading, looking the same, so nothing moves when it arrives.
 */
export function SelectButton({
  className,
  size = "default",
  placeholder = false,
  children,
  ...props
}: React.ComponentProps<"button"> & { size?: "sm" | "default"; placeholder?: boolean }) {
  return (
    <button
      type="button"
      data-slot="select-trigger"
      data-size={size}
      data-placeholder={placeholder ? "" : undefined}
      className={cn(selectTriggerClassName, className)}
      {...props}
    >
      <span data-slot="select-value" className="pointer-events-none">
        {children}
      </span>
      <ChevronDownIcon className="size-4 opacity-50" aria-hidden="true" />
    </button>
  );
}
