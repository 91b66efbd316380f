"use client";

import { Label } from "@parlor/ui/label";
import { cn } from "@parlor/ui/lib/utils";
import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@parlor/ui/select";
import { MicIcon, Volume2Icon, VideoIcon } from "lucide-react";
import { useId } from "react";

import type { DeviceKind } from "./device-preferences";
import { deviceLabel } from "./use-media-devices";

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

  return (
    <div className={cn("grid min-w-0 gap-1.5", className)}>
      <Label htmlFor={id} className="flex items-center gap-1.5 text-xs font-medium text-muted-foreground">
        <Icon className="size-3.5" aria-hidden="true" />
        {meta.label}
      </Label>
      <Select value={shown ?? ""} onValueChange={onChange} disabled={disabled || empty}>
        <SelectTrigger id={id} className="w-full min-w-0" data-testid={`device-select-${kind}`}>
          <SelectValue placeholder={hint ?? meta.none} />
        </SelectTrigger>
        <SelectContent>
          {devices.map((device, index) => (
            <SelectItem key={device.deviceId} value={device.deviceId}>
              {deviceLabel(device, index)}
            </SelectItem>
          ))}
        </SelectContent>
      </Select>
    </div>
  );
}
