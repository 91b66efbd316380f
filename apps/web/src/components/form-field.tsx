"use client";

import { Input } from "@parlor/ui/input";
import { Label } from "@parlor/ui/label";
import { cn } from "@parlor/ui/lib/utils";
import { useId, type ComponentProps, type ReactNode } from "react";

interface FormFieldProps extends Omit<ComponentProps<typeof Input>, "id"> {
  label: ReactNode;
  /** Shown under the field while there is no error. */
  hint?: ReactNode;
  error?: string;
  /** Something to show at the end of the label row (a link, say). */
  labelAside?: ReactNode;
}

/** A labelled input with its hint or error underneath, wired for screen readers. */
export function FormField({ label, hint, error, labelAside, className, ...inputProps }: FormFieldProps) {
  const id = useId();
  const messageId = `${id}-message`;
  const message = error ?? hint;
  return (
    <div className={cn("grid gap-2", className)}>
      <div className="flex items-center justify-between gap-2">
        <Label htmlFor={id}>{label}</Label>
        {labelAside}
      </div>
      <Input
        id={id}
        aria-invalid={error ? true : undefined}
        aria-describedby={message ? messageId : undefined}
        {...inputProps}
      />
      {message ? (
        <p
          id={messageId}
          className={cn("text-[13px] leading-snug", error ? "text-destructive" : "text-muted-foreground")}
        >
          {message}
        </p>
      ) : null}
    </div>
  );
}
