"use client";

import { Avatar as AvatarPrimitive } from "radix-ui";
import * as React from "react";

import { avatarTint, cn, initials } from "./lib/utils";

export function Avatar({ className, ...props }: React.ComponentProps<typeof AvatarPrimitive.Root>) {
  return (
    <AvatarPrimitive.Root
      data-slot="avatar"
      className={cn("relative flex size-8 shrink-0 overflow-hidden rounded-full", className)}
      {...props}
    />
  );
}

export function AvatarImage({ className, ...props }: React.ComponentProps<typeof AvatarPrimitive.Image>) {
  return (
    <AvatarPrimitive.Image
      data-slot="avatar-image"
      className={cn("aspect-square size-full", className)}
      {...props}
    />
  );
}

export function AvatarFallback({
  className,
  ...props
}: React.ComponentProps<typeof AvatarPrimitive.Fallback>) {
  return (
    <AvatarPrimitive.Fallback
      data-slot="avatar-fallback"
      className={cn(
        "flex size-full items-center justify-center rounded-full bg-muted text-xs font-medium text-muted-foreground",
        className,
      )}
      {...props}
    />
  );
}

/** A round avatar showing a person's initials in their tint. */
export function InitialsAvatar({
  name,
  id,
  className,
  title,
}: {
  name: string;
  /** What the tint is derived from (an id); defaults to the name. */
  id?: string;
  className?: string;
  title?: string;
}) {
  return (
    <Avatar className={className} title={title ?? name}>
      <AvatarFallback className={cn("font-semibold", avatarTint(id ?? name))}>
        {initials(name)}
      </AvatarFallback>
    </Avatar>
  );
}
