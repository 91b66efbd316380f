"use client";

import { cn } from "@parlor/ui/lib/utils";
import { useTrackToggle } from "@livekit/components-react";
import { REACTIONS, type Reaction } from "@parlor/api/schemas/call";
import { Track } from "livekit-client";
import {
  EllipsisIcon,
  HandIcon,
  KeyboardIcon,
  MessageSquareIcon,
  MicIcon,
  MicOffIcon,
  MonitorUpIcon,
  MonitorXIcon,
  PhoneOffIcon,
  SettingsIcon,
  SmilePlusIcon,
  UsersIcon,
  VideoIcon,
  VideoOffIcon,
  type LucideIcon,
} from "lucide-react";
import { forwardRef, useEffect, useState, type ComponentProps, type ReactNode } from "react";

import { OnDemandTrigger, type OnDemandUi } from "./on-demand-ui";

export type Panel = "chat" | "participants" | null;

interface ControlButtonProps extends Omit<ComponentProps<"button">, "onClick"> {
  label: string;
  icon: LucideIcon;
  onClick?: () => void;
  pressed?: boolean;
  /** "off": a device that is off; "danger": Leave. */
  tone?: "default" | "active" | "off" | "danger";
  badge?: ReactNode;
  testId?: string;
}

const ControlButton = forwardRef<HTMLButtonElement, ControlButtonProps>(function ControlButton(
  {
    label,
    icon: Icon,
    onClick,
    pressed,
    tone = pressed ? "active" : "default",
    badge,
    testId,
    className,
    ...rest
  },
  ref,
) {
  return (
    <button
      ref={ref}
      type="button"
      onClick={onClick}
      aria-label={label}
      title={label}
      aria-pressed={pressed}
      data-testid={testId}
      {...rest}
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
});

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

function ReactionsMenu({ onReact, className }: { onReact: (emoji: Reaction) => void; className?: string }) {
  const button = (
    <ControlButton
      label="Send a reaction"
      icon={SmilePlusIcon}
      testId="control-reactions"
      className={className}
    />
  );
  return (
    <OnDemandTrigger
      button={button}
      popup="menu"
      render={(ui, opened) => (
        <ui.Menu defaultOpen={opened} trigger={button} side="top" className="flex gap-1 p-1.5">
          {REACTIONS.map((emoji) => (
            <ui.MenuItem
              key={emoji}
              aria-label={`React with ${emoji}`}
              className="justify-center px-2 text-2xl"
              onSelect={() => onReact(emoji)}
            >
              {emoji}
            </ui.MenuItem>
          ))}
        </ui.Menu>
      )}
    />
  );
}

interface MoreMenuProps {
  screenShare: boolean;
  onMediaError: (error: unknown, source: Track.Source) => void;
  participantCount: number;
  onParticipants: () => void;
  onReact: (emoji: Reaction) => void;
  onSettings: () => void;
  onShortcuts: () => void;
}

/** On phones, what does not fit in the bar: screen share, participants, reactions, settings, shortcuts. */
function MoreMenu(props: MoreMenuProps) {
  const button = (
    <ControlButton label="More options" icon={EllipsisIcon} testId="control-more" className="sm:hidden" />
  );
  return (
    <OnDemandTrigger
      button={button}
      popup="menu"
      render={(ui, opened) => (
        <ui.Menu defaultOpen={opened} trigger={button} side="top" align="end" className="w-60">
          <MoreMenuItems ui={ui} {...props} />
        </ui.Menu>
      )}
    />
  );
}

function MoreMenuItems({
  ui,
  screenShare,
  onMediaError,
  participantCount,
  onParticipants,
  onReact,
  onSettings,
  onShortcuts,
}: MoreMenuProps & { ui: OnDemandUi }) {
  return (
    <>
      <ui.MenuLabel className="text-xs text-muted-foreground">React</ui.MenuLabel>
      <div className="flex justify-between px-1 pb-1">
        {REACTIONS.map((emoji) => (
          <ui.MenuItem
            key={emoji}
            aria-label={`React with ${emoji}`}
            className="px-1.5 text-xl"
            onSelect={() => onReact(emoji)}
          >
            {emoji}
          </ui.MenuItem>
        ))}
      </div>
      <ui.MenuSeparator />
      <ui.MenuItem onSelect={onParticipants}>
        <UsersIcon aria-hidden="true" /> Participants ({participantCount})
      </ui.MenuItem>
      {screenShare ? <ScreenShareMenuItem ui={ui} onError={onMediaError} /> : null}
      <ui.MenuItem onSelect={onSettings}>
        <SettingsIcon aria-hidden="true" /> Settings
      </ui.MenuItem>
      <ui.MenuItem onSelect={onShortcuts}>
        <KeyboardIcon aria-hidden="true" /> Keyboard shortcuts
      </ui.MenuItem>
    </>
  );
}

function ScreenShareMenuItem({
  ui,
  onError,
}: {
  ui: OnDemandUi;
  onError: (error: unknown, source: Track.Source) => void;
}) {
  const { toggle, enabled, pending } = useTrackToggle({
    source: Track.Source.ScreenShare,
    captureOptions: { audio: true, selfBrowserSurface: "exclude" },
  });
  return (
    <ui.MenuItem
      disabled={pending}
      onSelect={() => void toggle().catch((error: unknown) => onError(error, Track.Source.ScreenShare))}
    >
      {enabled ? <MonitorXIcon aria-hidden="true" /> : <MonitorUpIcon aria-hidden="true" />}
      {enabled ? "Stop sharing your screen" : "Share your screen"}
    </ui.MenuItem>
  );
}

export interface HandControl {
  raised: boolean;
  pending: boolean;
  toggle: () => void;
}

export function ControlBar({
  panel,
  onPanel,
  unread,
  participantCount,
  hand,
  onReact,
  onSettings,
  onShortcuts,
  onLeave,
  onMediaError,
}: {
  panel: Panel;
  onPanel: (panel: Panel) => void;
  unread: number;
  participantCount: number;
  hand: HandControl;
  onReact: (emoji: Reaction) => void;
  onSettings: () => void;
  onShortcuts: () => void;
  onLeave: () => void;
  onMediaError: (error: unknown, source: Track.Source) => void;
}) {
  const [screenShare, setScreenShare] = useState(false);
  // Phones have no screen sharing: only offer it where the browser can.
  useEffect(() => setScreenShare(canShareScreen()), []);

  // Below the `sm` breakpoint the bar keeps microphone, camera, hand, chat and leave; the rest
  // goes into "More", so every button stays a comfortable size and nothing scrolls.
  return (
    <div
      role="toolbar"
      aria-label="Call controls"
      data-toasts-stay-above=""
      className="flex items-center justify-center gap-1.5 border-t bg-background/95 px-2 py-2.5 backdrop-blur sm:gap-3 sm:py-3"
    >
      <MediaButton source={Track.Source.Microphone} onError={onMediaError} />
      <MediaButton source={Track.Source.Camera} onError={onMediaError} />
      {screenShare ? (
        <span className="hidden sm:contents">
          <ScreenShareButton onError={onMediaError} />
        </span>
      ) : null}
      <ControlButton
        label={hand.raised ? "Lower your hand" : "Raise your hand"}
        icon={HandIcon}
        pressed={hand.raised}
        disabled={hand.pending}
        testId="control-hand"
        onClick={hand.toggle}
      />
      <ReactionsMenu onReact={onReact} className="hidden sm:flex" />
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
        className="hidden sm:flex"
        onClick={() => onPanel(panel === "participants" ? null : "participants")}
      />
      <ControlButton
        label="Settings"
        icon={SettingsIcon}
        onClick={onSettings}
        testId="control-settings"
        className="hidden sm:flex"
      />
      <MoreMenu
        screenShare={screenShare}
        onMediaError={onMediaError}
        participantCount={participantCount}
        onParticipants={() => onPanel("participants")}
        onReact={onReact}
        onSettings={onSettings}
        onShortcuts={onShortcuts}
      />
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
