"use client";

import { useTheme } from "next-themes";
import { useSyncExternalStore, type CSSProperties } from "react";
import type * as SonnerModule from "sonner";
import type { ExternalToast, ToasterProps } from "sonner";

type Sonner = typeof SonnerModule;

/*
 * Sonner (35 kB of code) loads with the first toast, not with every page: no page needs it to
 * show its first screen. The toaster mounts once Sonner has loaded; Sonner replays the toasts that
 * are still active when its toaster subscribes, so a toast raised before that is shown too.
 */
let sonner: Promise<Sonner> | undefined;
let loaded: Sonner | undefined;
const listeners = new Set<() => void>();

function loadSonner(): Promise<Sonner> {
  sonner ??= import("sonner").then(
    (module) => {
      loaded = module;
      listeners.forEach((notify) => notify());
      return module;
    },
    (error: unknown) => {
      // A failed download (offline, a new deployment) is tried again with the next toast.
      sonner = undefined;
      throw error;
    },
  );
  return sonner;
}

const onLoaded = (notify: () => void) => {
  listeners.add(notify);
  return () => void listeners.delete(notify);
};

type Message = Parameters<Sonner["toast"]>[0];

/** Runs `show` once Sonner is there; a toast that cannot load is dropped, like one dismissed. */
const later = (show: (toast: Sonner["toast"]) => void) =>
  void loadSonner().then(
    (loaded) => show(loaded.toast),
    () => undefined,
  );

/** Sonner's `toast`, loading Sonner on first use. */
export const toast = Object.assign(
  (message: Message, data?: ExternalToast) => later((t) => t(message, data)),
  {
    success: (message: Message, data?: ExternalToast) => later((t) => t.success(message, data)),
    error: (message: Message, data?: ExternalToast) => later((t) => t.error(message, data)),
    warning: (message: Message, data?: ExternalToast) => later((t) => t.warning(message, data)),
    info: (message: Message, data?: ExternalToast) => later((t) => t.info(message, data)),
    /** Nothing to dismiss before Sonner has loaded: no toast can be showing. */
    dismiss: (id?: string | number) => {
      if (sonner) later((t) => void t.dismiss(id));
    },
  },
);

/**
 * Sonner's toaster, following the app's light or dark theme. Its distance from the bottom is the
 * CSS variable --toast-offset-bottom when a page sets it (the call does, to keep its control bar
 * uncovered), else Sonner's default.
 */
export function Toaster(props: ToasterProps) {
  const { theme = "system" } = useTheme();
  const Sonner = useSyncExternalStore(
    onLoaded,
    () => loaded?.Toaster,
    () => undefined,
  );
  if (!Sonner) return null;
  return (
    <Sonner
      theme={theme as ToasterProps["theme"]}
      className="toaster group"
      position="bottom-right"
      offset={{ bottom: "var(--toast-offset-bottom, 24px)" }}
      mobileOffset={{ bottom: "var(--toast-offset-bottom, 16px)" }}
      closeButton
      style={
        {
          "--normal-bg": "var(--popover)",
          "--normal-text": "var(--popover-foreground)",
          "--normal-border": "var(--border)",
          "--border-radius": "var(--radius)",
        } as CSSProperties
      }
      {...props}
    />
  );
}
