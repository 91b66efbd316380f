import { cn } from "@parlor/ui/lib/utils";

import { IntentLink } from "./intent-link";

/** Parlor's mark: a doorway into a room. */
export function LogoMark({ className }: { className?: string }) {
  return (
    <svg viewBox="0 0 32 32" aria-hidden="true" className={cn("size-7", className)}>
      <rect width="32" height="32" rx="9" className="fill-brand" />
      <path d="M9 25V15a7 7 0 0 1 14 0v10z" className="fill-brand-foreground" />
      <circle cx="19.5" cy="19.5" r="1.4" className="fill-brand" />
    </svg>
  );
}

export function Wordmark({ href = "/", className }: { href?: string; className?: string }) {
  return (
    <IntentLink
      href={href}
      className={cn(
        "inline-flex items-center gap-2 rounded-md text-[17px] font-semibold tracking-tight",
        className,
      )}
    >
      <LogoMark />
      <span>Parlor</span>
    </IntentLink>
  );
}
