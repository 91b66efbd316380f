"use client";

import { sendInviteInput } from "@parlor/api/schemas";
import { Button } from "@parlor/ui/button";
import { toast } from "@parlor/ui/toaster";
import { SendIcon } from "lucide-react";

import { FormAlert } from "@/components/form-alert";
import { FormField } from "@/components/form-field";
import { useSchemaForm } from "@/lib/use-schema-form";
import { api } from "@/trpc/react";

/** Sends a single-use member invite to one address (shown only when the instance can send email). */
export function EmailInviteForm({ teamSlug }: { teamSlug: string }) {
  const utils = api.useUtils();
  const { values, update, errors, handleSubmit, reset, onServerError, retry } = useSchemaForm(
    sendInviteInput,
    { email: "" },
    (v) => ({ ...v, teamSlug }),
  );
  const send = api.team.sendInvite.useMutation({
    onSuccess: async (sent) => {
      reset();
      toast.success(`Invite sent to ${sent.email}`, { description: "The link works once, for 7 days." });
      await utils.team.invites.invalidate({ teamSlug });
    },
    onError: onServerError,
  });

  return (
    <form
      method="post"
      noValidate
      onSubmit={handleSubmit((data) => send.mutate(data))}
      className="grid gap-3"
      aria-label="Invite by email"
    >
      {send.isPending ? null : (
        <FormAlert error={send.error} waitSeconds={retry.seconds} waitOver={retry.over} />
      )}
      <div className="flex flex-col gap-2 sm:flex-row sm:items-start">
        <FormField
          className="flex-1"
          label="Invite by email"
          name="email"
          type="email"
          autoComplete="off"
          inputMode="email"
          placeholder="name@example.com"
          value={values.email}
          onChange={(event) => update("email", event.target.value)}
          error={errors.of("email")}
          hint="They get a link that joins them as a member."
        />
        <Button type="submit" className="sm:mt-[26px]" pending={send.isPending} disabled={retry.seconds > 0}>
          {send.isPending ? null : <SendIcon aria-hidden="true" />}
          {send.isPending ? "Sending…" : "Send invite"}
        </Button>
      </div>
    </form>
  );
}
