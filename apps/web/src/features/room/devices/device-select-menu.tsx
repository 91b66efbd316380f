"use client";

import { Select, SelectContent, SelectItem, SelectTrigger, SelectValue } from "@parlor/ui/select";

import { deviceLabel } from "./use-media-devices";

/** The list part of `DeviceSelect` (Radix's select), loaded once the page is interactive. */
export function DeviceSelectMenu({
  id,
  testId,
  devices,
  shown,
  onChange,
  disabled,
  placeholder,
  defaultOpen,
}: {
  id: string;
  testId: string;
  devices: MediaDeviceInfo[];
  shown: string | undefined;
  onChange: (deviceId: string) => void;
  disabled: boolean;
  placeholder: string;
  /** Opened at once: the person clicked the stand-in before this had loaded. */
  defaultOpen: boolean;
}) {
  return (
    <Select value={shown ?? ""} onValueChange={onChange} disabled={disabled} defaultOpen={defaultOpen}>
      <SelectTrigger id={id} className="w-full min-w-0" data-testid={testId}>
        <SelectValue placeholder={placeholder} />
      </SelectTrigger>
      <SelectContent>
        {devices.map((device, index) => (
          <SelectItem key={device.deviceId} value={device.deviceId}>
            {deviceLabel(device, index)}
          </SelectItem>
        ))}
      </SelectContent>
    </Select>
  );
}
