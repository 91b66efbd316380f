"use client";

import type { RouterOutputs } from "@parlor/api";
import { chatRetentionInput, renameTeamInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { Trash2Icon } from "lucide-react";
import { useRouter } from "next/navigation";
import { useState } from "react";

import { DaysField } from "@/components/days-field";
import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { Section } from "@/components/page";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

import { GuestLinkPolicySwitch } from "@/features/guest/guest-link-policy";
import { RecordingPolicySettings } from "@/features/recordings/recording-policy";

import { DeleteTeamDialog } from "./delete-team-dialog";

type Team = RouterOutputs["team"]["get"];

/**
 * Owners only: rename the team (its address stays), how long its chat is kept, who may invite
 * guests and record, how long recordings are kept, delete it.
 */
export function TeamSettingsSection({ team }: { team: Team }) {
  return (
    <Section
      id="team-settings"
      title="Team settings"
      description="Only owners see this. Renaming keeps the team's address, so saved links keep working."
    >
      <div className="grid gap-6 rounded-xl border bg-card p-5">
        <RenameTeamForm team={team} />
        <ChatRetentionForm teamSlug={team.slug} />
        <GuestLinkPolicySwitch teamSlug={team.slug} />
        <RecordingPolicySettings teamSlug={team.slug} />
        <div className="flex flex-col gap-3 border-t pt-5 sm:flex-row sm:items-center sm:justify-between">
          <div className="grid gap-0.5">
            <h3 className="text-sm font-medium">Delete this team</h3>
            <p className="text-[13px] text-muted-foreground">
              Its rooms, invites and meeting history go with it; calls in its rooms end.
            </p>
          </div>
          <DeleteTeamButton team={team} />
        </div>
      </div>
    </Section>
  );
}

function RenameTeamForm({ team }: { team: Team }) {
  const router = useRouter();
  const utils = api.useUtils();
  const { values, update, errors, handleSubmit, onServerError } = useSchemaForm(
    renameTeamInput,
    { name: team.name },
    (v) => ({ ...v, teamSlug: team.slug }),
  );
  const rename = api.team.rename.useMutation({
    onSuccess: async (renamed) => {
      toast.success(`Renamed to ${renamed.name}`);
      await Promise.all([utils.team.list.invalidate(), utils.team.get.invalidate({ teamSlug: team.slug })]);
      router.refresh();
    },
    onError: onServerError,
  });
  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => rename.mutate(data))}
      className="grid gap-3"
      aria-label="Rename the team"
    >
      {rename.isPending ? null : <FormAlert error={rename.error} />}
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <FormField
          className="flex-1"
          label="Team name"
          name="name"
          autoComplete="off"
          value={values.name}
          onChange={(event) => update("name", event.target.value)}
          error={errors.of("name")}
          hint={`Address: /t/${team.slug}`}
        />
        <Button
          type="submit"
          variant="outline"
          className="sm:mt-[26px]"
          pending={rename.isPending}
          disabled={values.name.trim() === team.name}
        >
          {rename.isPending ? "Saving…" : "Rename"}
        </Button>
      </div>
    </form>
  );
}

function ChatRetentionForm({ teamSlug }: { teamSlug: string }) {
  const current = api.chat.retention.useQuery({ teamSlug });
  // The form starts once the saved value is known, so it never shows a default that is not true.
  return current.data ? (
    <ChatRetentionFields teamSlug={teamSlug} days={current.data.chatRetentionDays} />
  ) : (
    <p className="border-t pt-5 text-[13px] text-muted-foreground">
      {current.error ? "The chat setting could not be loaded." : "Loading the chat setting…"}
    </p>
  );
}

function ChatRetentionFields({ teamSlug, days }: { teamSlug: string; days: number }) {
  const utils = api.useUtils();
  const { values, update, errors, handleSubmit, onServerError } = useSchemaForm(
    chatRetentionInput,
    { days: String(days) },
    (v) => ({ days: Number(v.days) }),
  );
  const save = api.chat.setRetention.useMutation({
    onSuccess: async (saved) => {
      toast.success(`Chat is now kept for ${saved.chatRetentionDays} days`);
      await utils.chat.retention.invalidate({ teamSlug });
    },
    onError: onServerError,
  });
  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => save.mutate({ teamSlug, ...data }))}
      className="grid gap-3 border-t pt-5"
      aria-label="How long chat is kept"
    >
      {save.isPending ? null : <FormAlert error={save.error} />}
      <DaysField
        label="Keep chat messages for (days)"
        hint="Each room keeps its chat across meetings; older messages are deleted for good."
        value={values.days}
        saved={days}
        error={errors.of("days")}
        pending={save.isPending}
        onChange={(value) => update("days", value)}
      />
    </form>
  );
}

function DeleteTeamButton({ team }: { team: Team }) {
  const router = useRouter();
  const utils = api.useUtils();
  const [open, setOpen] = useState(false);
  const remove = api.team.delete.useMutation();
  return (
    <>
      <Button variant="outline" className="text-destructive" onClick={() => setOpen(true)}>
        <Trash2Icon aria-hidden="true" />
        Delete team
      </Button>
      {open ? (
        <DeleteTeamDialog
          team={team}
          open
          onOpenChange={setOpen}
          description="Everyone loses access at once. Its rooms, invite links and meeting history are deleted, and any call going on in its rooms ends. This cannot be undone."
          onDelete={async (input) => {
            await remove.mutateAsync(input);
            setOpen(false);
            toast.success(`${team.name} was deleted`);
            await utils.team.list.invalidate();
            router.push("/");
            router.refresh();
          }}
        />
      ) : null}
    </>
  );
}
