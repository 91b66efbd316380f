"use client";

import { Label } from "@parlor/ui/label";
import { cn } from "@parlor/ui/lib/utils";
import { SelectButton } from "@parlor/ui/select-button";
import { MicIcon, Volume2Icon, VideoIcon } from "lucide-react";
import { useId, useState } from "react";

import { deferredComponent } from "@/lib/deferred-component";

import type { DeviceKind } from "./device-preferences";
import { deviceLabel } from "./use-media-devices";

// Radix's select and its positioning load once the page is interactive, not before the preview.
const useDeviceSelectMenu = deferredComponent(() =>
  import("./device-select-menu").then((m) => m.DeviceSelectMenu),
);

const META: Record<DeviceKind, { label: string; icon: typeof MicIcon; none: string }> = {
  videoinput: { label: "Camera", icon: VideoIcon, none: "No camera found" },
  audioinput: { label: "Microphone", icon: MicIcon, none: "No microphone found" },
  audiooutput: { label: "Speaker", icon: Volume2Icon, none: "System default" },
};

/** A labelled picker for one kind of device. */
export function DeviceSelect({
  kind,
  devices,
  value,
  onChange,
  disabled,
  className,
  hint,
}: {
  kind: DeviceKind;
  devices: MediaDeviceInfo[];
  value: string | undefined;
  onChange: (deviceId: string) => void;
  disabled?: boolean;
  className?: string;
  /** Shown instead of the list when there is nothing to pick yet. */
  hint?: string;
}) {
  const id = useId();
  const meta = META[kind];
  const Icon = meta.icon;
  const known = value && devices.some((d) => d.deviceId === value) ? value : undefined;
  // With no explicit choice the browser's default is in use: show it as selected.
  const shown = known ?? devices.find((d) => d.deviceId === "default")?.deviceId ?? devices[0]?.deviceId;
  const empty = devices.length === 0;
  const placeholder = hint ?? meta.none;
  const { Component: DeviceSelectMenu, retry } = useDeviceSelectMenu();
  // Clicked before the list had loaded: it opens as soon as it has.
  const [clickedEarly, setClickedEarly] = useState(false);
  const shownIndex = devices.findIndex((d) => d.deviceId === shown);
  const standIn = (
    <SelectButton
      id={id}
      className="w-full min-w-0"
      placeholder={shownIndex < 0}
      disabled={disabled || empty}
      aria-haspopup="listbox"
      onClick={() => {
        setClickedEarly(true);
        retry();
      }}
    >
      {shownIndex < 0 ? placeholder : deviceLabel(devices[shownIndex]!, shownIndex)}
    </SelectButton>
  );

  return (
    <div className={cn("grid min-w-0 gap-1.5", className)}>
      <Label htmlFor={id} className="flex items-center gap-1.5 text-xs font-medium text-muted-foreground">
        <Icon className="size-3.5" aria-hidden="true" />
        {meta.label}
      </Label>
      {DeviceSelectMenu ? (
        <DeviceSelectMenu
          id={id}
          testId={`device-select-${kind}`}
          devices={devices}
          shown={shown}
          onChange={onChange}
          disabled={disabled || empty}
          placeholder={placeholder}
          defaultOpen={clickedEarly}
        />
      ) : (
        standIn
      )}
    </div>
  );
}
