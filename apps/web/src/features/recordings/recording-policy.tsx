"use client";

import { recordingRetentionInput } from "@parlor/api/schemas";
import { Label } from "@parlor/ui/label";
import { Switch } from "@parlor/ui/switch";
import { toast } from "@parlor/ui/toaster";
import { useId } from "react";

import { FormAlert } from "@/components/form-alert";
import { DaysField } from "@/components/days-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

const DEFAULT_RETENTION_DAYS = 90;

/**
 * The team's recording settings, beside its other settings: whether plain members may record
 * (owners and admins always may), and whether recordings are deleted after some days (off by
 * default; a background job deletes them with their files).
 */
export function RecordingPolicySettings({ teamSlug }: { teamSlug: string }) {
  const policy = api.recording.policy.useQuery({ teamSlug });
  if (!policy.data) {
    return (
      <p className="border-t pt-5 text-[13px] text-muted-foreground">
        {policy.error ? "The recording settings could not be loaded." : "Loading the recording settings…"}
      </p>
    );
  }
  return (
    <>
      <MembersRecordSwitch teamSlug={teamSlug} membersMay={policy.data.membersMay} />
      <RecordingRetention teamSlug={teamSlug} days={policy.data.retentionDays} />
    </>
  );
}

function useSavePolicy(
  teamSlug: string,
  onSaved: (saved: { membersMay: boolean; retentionDays: number | null }) => void,
) {
  const utils = api.useUtils();
  return api.recording.setPolicy.useMutation({
    onSuccess: (saved) => {
      utils.recording.policy.setData({ teamSlug }, saved);
      void utils.recording.list.invalidate();
      onSaved(saved);
    },
  });
}

function MembersRecordSwitch({ teamSlug, membersMay }: { teamSlug: string; membersMay: boolean }) {
  const id = useId();
  const save = useSavePolicy(teamSlug, (saved) =>
    toast.success(saved.membersMay ? "Members can now record meetings" : "Only owners and admins record now"),
  );
  return (
    <div className="flex items-center justify-between gap-3 border-t pt-5">
      <Label htmlFor={id} className="grid gap-0.5">
        <span className="text-sm font-medium">Members may record</span>
        <span className="text-[13px] font-normal text-muted-foreground">
          Everyone in a call sees when it is recorded. Owners and admins can always record.
        </span>
      </Label>
      <Switch
        id={id}
        checked={membersMay}
        disabled={save.isPending}
        onCheckedChange={(on) =>
          save.mutate(
            { teamSlug, membersMay: on },
            {
              onError: (error) =>
                toast.error("The setting was not saved", { description: describeError(error).message }),
            },
          )
        }
      />
    </div>
  );
}

function RecordingRetention({ teamSlug, days }: { teamSlug: string; days: number | null }) {
  const id = useId();
  const { values, update, errors, handleSubmit, onServerError } = useSchemaForm(
    recordingRetentionInput,
    { days: String(days ?? DEFAULT_RETENTION_DAYS) },
    (v) => ({ days: Number(v.days) }),
  );
  const save = useSavePolicy(teamSlug, (saved) =>
    toast.success(
      saved.retentionDays
        ? `Recordings are now deleted after ${saved.retentionDays} days`
        : "Recordings are now kept until someone deletes them",
    ),
  );
  const on = days !== null;
  return (
    <div className="grid gap-3 border-t pt-5">
      <div className="flex items-center justify-between gap-3">
        <Label htmlFor={id} className="grid gap-0.5">
          <span className="text-sm font-medium">Delete old recordings</span>
          <span className="text-[13px] font-normal text-muted-foreground">
            Off: recordings stay until an owner or admin deletes them. On: each goes, with its file, after the
            days you set.
          </span>
        </Label>
        <Switch
          id={id}
          checked={on}
          disabled={save.isPending}
          onCheckedChange={(checked) =>
            save.mutate(
              { teamSlug, retentionDays: checked ? Number(values.days) || DEFAULT_RETENTION_DAYS : null },
              { onError: onServerError },
            )
          }
        />
      </div>
      {on ? (
        <form
          method="post"
          noValidate
          onSubmit={handleSubmit((data) =>
            save.mutate({ teamSlug, retentionDays: data.days }, { onError: onServerError }),
          )}
          className="grid gap-3"
          aria-label="How long recordings are kept"
        >
          {save.isPending ? null : <FormAlert error={save.error} />}
          <DaysField
            label="Delete recordings after (days)"
            hint="Counted from when the recording was made; deleted recordings cannot be brought back."
            value={values.days}
            saved={days}
            error={errors.of("days")}
            pending={save.isPending}
            onChange={(value) => update("days", value)}
          />
        </form>
      ) : null}
    </div>
  );
}
