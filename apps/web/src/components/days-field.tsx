import { Button } from "@parlor/ui/button";

import { FormField } from "@/components/form-field";

/**
 * A number of days and its Save button, side by side: how long a team keeps something (chat,
 * recordings). Save stays off until the value differs from the saved one.
 */
export function DaysField({
  label,
  hint,
  value,
  saved,
  error,
  pending,
  onChange,
}: {
  label: string;
  hint: string;
  value: string;
  saved: number | null;
  error: string | undefined;
  pending: boolean;
  onChange: (value: string) => void;
}) {
  return (
    <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
      <FormField
        className="flex-1"
        label={label}
        name="days"
        type="number"
        inputMode="numeric"
        min={1}
        max={3650}
        value={value}
        onChange={(event) => onChange(event.target.value)}
        error={error}
        hint={hint}
      />
      <Button
        type="submit"
        variant="outline"
        className="sm:mt-[26px]"
        pending={pending}
        disabled={value.trim() === String(saved)}
      >
        {pending ? "Saving…" : "Save"}
      </Button>
    </div>
  );
}
