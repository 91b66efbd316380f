"use client";

import { Button, type ButtonProps } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { CheckIcon, CopyIcon } from "lucide-react";
import { useEffect, useState } from "react";

/** Copies `value` (a path is made absolute) and confirms with a tick and a toast. */
export function CopyButton({
  value,
  label = "Copy link",
  copiedMessage = "Link copied",
  iconOnly = false,
  ...buttonProps
}: Omit<ButtonProps, "onClick" | "value"> & {
  value: string;
  label?: string;
  copiedMessage?: string;
  iconOnly?: boolean;
}) {
  const [copied, setCopied] = useState(false);

  useEffect(() => {
    if (!copied) return;
    const timer = setTimeout(() => setCopied(false), 2_000);
    return () => clearTimeout(timer);
  }, [copied]);

  async function copy() {
    const text = value.startsWith("/") ? `${window.location.origin}${value}` : value;
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
      toast.success(copiedMessage);
    } catch {
      toast.error("Couldn't copy. Select the link and copy it yourself.");
    }
  }

  const Icon = copied ? CheckIcon : CopyIcon;
  return (
    <Button
      type="button"
      variant="outline"
      size={iconOnly ? "icon-sm" : "sm"}
      aria-label={iconOnly ? label : undefined}
      title={iconOnly ? label : undefined}
      onClick={copy}
      {...buttonProps}
    >
      <Icon aria-hidden="true" className={copied ? "text-success" : undefined} />
      {iconOnly ? null : copied ? "Copied" : label}
    </Button>
  );
}
