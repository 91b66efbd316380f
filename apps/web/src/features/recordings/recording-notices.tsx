"use client";

import { CircleDotIcon } from "lucide-react";

import { api } from "@/trpc/react";

function Notice({ children }: { children: React.ReactNode }) {
  return (
    <p
      role="status"
      data-testid="recording-notice"
      className="flex items-start gap-2 rounded-md border border-red-600/30 bg-red-50 px-3 py-2 text-sm text-red-950 dark:bg-red-500/15 dark:text-red-100"
    >
      <CircleDotIcon className="mt-0.5 size-4 shrink-0 text-red-600" aria-hidden="true" />
      <span>{children}</span>
    </p>
  );
}

const TEXT =
  "This meeting is being recorded. If you join, your camera, microphone and shared screen are in the recording, which the team's members can watch later.";

/** On the pre-join: told before joining that the meeting is being recorded. */
export function PrejoinRecordingNotice({ room }: { room: { teamSlug: string; roomSlug: string } }) {
  const status = api.recording.status.useQuery(room, { refetchInterval: 10_000 });
  return status.data?.recording ? <Notice>{TEXT}</Notice> : null;
}

/** On a guest link's page (and while waiting in the lobby): told before entering. */
export function GuestRecordingNotice({ token }: { token: string }) {
  const status = api.recording.guestStatus.useQuery({ token }, { refetchInterval: 10_000, retry: false });
  return status.data?.recording ? <Notice>{TEXT}</Notice> : null;
}
