"use client";

import { cn } from "@parlor/ui/lib/utils";
import { useTrackToggle } from "@livekit/components-react";
import { Track } from "livekit-client";
import {
  MessageSquareIcon,
  MicIcon,
  MicOffIcon,
  MonitorUpIcon,
  MonitorXIcon,
  PhoneOffIcon,
  SettingsIcon,
  UsersIcon,
  VideoIcon,
  VideoOffIcon,
  type LucideIcon,
} from "lucide-react";
import { useEffect, useState, type ReactNode } from "react";

export type Panel = "chat" | "participants" | null;

function ControlButton({
  label,
  icon: Icon,
  onClick,
  pressed,
  tone = pressed ? "active" : "default",
  disabled,
  badge,
  testId,
  className,
}: {
  label: string;
  icon: LucideIcon;
  onClick: () => void;
  pressed?: boolean;
  /** "off": a device that is off; "danger": Leave. */
  tone?: "default" | "active" | "off" | "danger";
  disabled?: boolean;
  badge?: ReactNode;
  testId?: string;
  className?: string;
}) {
  return (
    <button
      type="button"
      onClick={onClick}
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      disabled={disabled}
      data-testid={testId}
      className={cn(
        "relative flex size-11 shrink-0 items-center justify-center rounded-full transition-colors outline-none focus-visible:ring-[3px] focus-visible:ring-ring disabled:opacity-50 sm:size-12",
        {
          default: "bg-secondary text-secondary-foreground hover:bg-accent",
          active: "bg-primary text-primary-foreground hover:bg-primary/90",
          off: "bg-red-600/90 text-white hover:bg-red-500",
          danger: "bg-red-600 text-white hover:bg-red-500",
        }[tone],
        className,
      )}
    >
      <Icon className="size-5" aria-hidden="true" />
      {badge}
    </button>
  );
}

/** Microphone or camera on/off, reporting failures (a denied permission, a busy camera). */
function MediaButton({
  source,
  onError,
}: {
  source: Track.Source.Microphone | Track.Source.Camera;
  onError: (error: unknown, source: Track.Source) => void;
}) {
  const { toggle, enabled, pending } = useTrackToggle({ source });
  const mic = source === Track.Source.Microphone;
  const noun = mic ? "microphone" : "camera";
  const Icon = mic ? (enabled ? MicIcon : MicOffIcon) : enabled ? VideoIcon : VideoOffIcon;
  return (
    <ControlButton
      label={enabled ? `Turn ${noun} off` : `Turn ${noun} on`}
      icon={Icon}
      pressed={enabled}
      tone={enabled ? "default" : "off"}
      disabled={pending}
      testId={`control-${noun}`}
      onClick={() => void toggle().catch((error: unknown) => onError(error, source))}
    />
  );
}

function ScreenShareButton({ onError }: { onError: (error: unknown, source: Track.Source) => void }) {
  const { toggle, enabled, pending } = useTrackToggle({
    source: Track.Source.ScreenShare,
    captureOptions: { audio: true, selfBrowserSurface: "exclude" },
  });
  return (
    <ControlButton
      label={enabled ? "Stop sharing your screen" : "Share your screen"}
      icon={enabled ? MonitorXIcon : MonitorUpIcon}
      pressed={enabled}
      disabled={pending}
      testId="control-screenshare"
      onClick={() => void toggle().catch((error: unknown) => onError(error, Track.Source.ScreenShare))}
    />
  );
}

const canShareScreen = () =>
  typeof navigator !== "undefined" && typeof navigator.mediaDevices?.getDisplayMedia === "function";

export function ControlBar({
  panel,
  onPanel,
  unread,
  participantCount,
  onSettings,
  onLeave,
  onMediaError,
}: {
  panel: Panel;
  onPanel: (panel: Panel) => void;
  unread: number;
  participantCount: number;
  onSettings: () => void;
  onLeave: () => void;
  onMediaError: (error: unknown, source: Track.Source) => void;
}) {
  const [screenShare, setScreenShare] = useState(false);
  // Phones have no screen sharing: only offer it where the browser can.
  useEffect(() => setScreenShare(canShareScreen()), []);

  return (
    <div
      role="toolbar"
      aria-label="Call controls"
      className="flex items-center justify-center gap-1.5 border-t bg-background/95 px-2 py-2.5 backdrop-blur sm:gap-3 sm:py-3"
    >
      <MediaButton source={Track.Source.Microphone} onError={onMediaError} />
      <MediaButton source={Track.Source.Camera} onError={onMediaError} />
      {screenShare ? <ScreenShareButton onError={onMediaError} /> : null}
      <span className="mx-0.5 hidden h-8 w-px bg-border sm:block" aria-hidden="true" />
      <ControlButton
        label={unread > 0 ? `Chat, ${unread} unread` : "Chat"}
        icon={MessageSquareIcon}
        pressed={panel === "chat"}
        testId="control-chat"
        onClick={() => onPanel(panel === "chat" ? null : "chat")}
        badge={
          unread > 0 ? (
            <span
              aria-hidden="true"
              className="absolute -top-0.5 -right-0.5 flex min-w-5 items-center justify-center rounded-full bg-red-600 px-1 text-[11px] leading-5 font-semibold text-white"
            >
              {unread > 9 ? "9+" : unread}
            </span>
          ) : null
        }
      />
      <ControlButton
        label={`Participants (${participantCount})`}
        icon={UsersIcon}
        pressed={panel === "participants"}
        testId="control-participants"
        onClick={() => onPanel(panel === "participants" ? null : "participants")}
      />
      <ControlButton label="Settings" icon={SettingsIcon} onClick={onSettings} testId="control-settings" />
      <ControlButton
        label="Leave call"
        icon={PhoneOffIcon}
        tone="danger"
        onClick={onLeave}
        testId="control-leave"
        className="sm:ml-2 sm:w-16"
      />
    </div>
  );
}
