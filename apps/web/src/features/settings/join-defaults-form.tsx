"use client";

import type { RouterOutputs } from "@parlor/api";
import { Label } from "@parlor/ui/label";
import { Switch } from "@parlor/ui/switch";
import { toast } from "@parlor/ui/toaster";
import { MicIcon, VideoIcon } from "lucide-react";
import { useId, type ReactNode } from "react";

import { describeError } from "@/trpc/errors";
import { api } from "@/trpc/react";

type Preferences = RouterOutputs["preferences"]["get"];
type Toggle = "microphoneEnabled" | "cameraEnabled";

/** Microphone and camera on or off at join; each switch saves at once. */
export function JoinDefaultsForm({ initialPreferences }: { initialPreferences: Preferences }) {
  const utils = api.useUtils();
  const preferences = api.preferences.get.useQuery(undefined, { initialData: initialPreferences });
  const update = api.preferences.update.useMutation({
    onMutate: async (changes) => {
      await utils.preferences.get.cancel();
      const previous = utils.preferences.get.getData();
      if (previous) utils.preferences.get.setData(undefined, { ...previous, ...changes } as Preferences);
      return { previous };
    },
    onError: (error, _changes, context) => {
      if (context?.previous) utils.preferences.get.setData(undefined, context.previous);
      toast.error(describeError(error).message);
    },
    onSuccess: (next) => {
      utils.preferences.get.setData(undefined, next);
      toast.success("Saved");
    },
  });

  const set = (key: Toggle) => (checked: boolean) => update.mutate({ [key]: checked });

  return (
    <div className="grid gap-1">
      <ToggleRow
        icon={<MicIcon aria-hidden="true" />}
        label="Microphone on"
        description="Others hear you as soon as you join."
        checked={preferences.data.microphoneEnabled}
        onCheckedChange={set("microphoneEnabled")}
      />
      <div className="h-px bg-border" />
      <ToggleRow
        icon={<VideoIcon aria-hidden="true" />}
        label="Camera on"
        description="Others see you as soon as you join."
        checked={preferences.data.cameraEnabled}
        onCheckedChange={set("cameraEnabled")}
      />
    </div>
  );
}

function ToggleRow({
  icon,
  label,
  description,
  checked,
  onCheckedChange,
}: {
  icon: ReactNode;
  label: string;
  description: string;
  checked: boolean;
  onCheckedChange: (checked: boolean) => void;
}) {
  const id = useId();
  return (
    <div className="flex items-center gap-4 py-3 first:pt-0 last:pb-0">
      <div className="flex size-9 shrink-0 items-center justify-center rounded-lg bg-muted text-muted-foreground [&_svg]:size-[18px]">
        {icon}
      </div>
      <div className="grid min-w-0 flex-1 gap-0.5">
        <Label htmlFor={id}>{label}</Label>
        <p id={`${id}-description`} className="text-[13px] text-muted-foreground">
          {description}
        </p>
      </div>
      <Switch
        id={id}
        checked={checked}
        onCheckedChange={onCheckedChange}
        aria-describedby={`${id}-description`}
      />
    </div>
  );
}
