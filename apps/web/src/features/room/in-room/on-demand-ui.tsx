"use client";

import {
  cloneElement,
  useEffect,
  useLayoutEffect,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactElement,
  type ReactNode,
} from "react";

const OPENING_KEYS = new Set(["Enter", " ", "ArrowDown"]);

import type * as OnDemandModule from "./on-demand";

/** The call's menus and dialogs (./on-demand.tsx). */
export type OnDemandUi = typeof OnDemandModule;

let loaded: OnDemandUi | undefined;
let loading: Promise<OnDemandUi> | undefined;

/** Fetches the call's menus and dialogs; once, whoever asks first. */
export function preloadOnDemand(): Promise<OnDemandUi> {
  loading ??= import("./on-demand").then(
    (ui) => (loaded = ui),
    (error: unknown) => {
      // A failed fetch (offline for a moment) is asked again by the next click.
      loading = undefined;
      throw error;
    },
  );
  return loading;
}

/**
 * Loads the call's menus and dialogs in the background once the call is up and the browser has
 * nothing else to do, so the first click on one finds it here.
 */
export function usePreloadOnDemand(when: boolean) {
  useEffect(() => {
    if (!when || loaded) return;
    const load = () => void preloadOnDemand().catch(() => undefined);
    if (typeof requestIdleCallback === "function") {
      const id = requestIdleCallback(load, { timeout: 3_000 });
      return () => cancelIdleCallback(id);
    }
    const timer = setTimeout(load, 1_000);
    return () => clearTimeout(timer);
  }, [when]);
}

/** The call's menus and dialogs once here; asks for them while `wanted`. */
export function useOnDemand(wanted: boolean): OnDemandUi | undefined {
  const [ui, setUi] = useState(loaded);
  useEffect(() => {
    if (ui) return;
    if (loaded) return setUi(loaded);
    if (!wanted) return;
    let current = true;
    preloadOnDemand().then(
      (value) => current && setUi(value),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [ui, wanted]);
  // Preloaded by someone else meanwhile: picked up at the next render.
  return ui ?? loaded;
}

/** Renders `children` with the on-demand UI once it is here; asks for it while `when` (a dialog open). */
export function OnDemand({ when, children }: { when: boolean; children: (ui: OnDemandUi) => ReactNode }) {
  const ui = useOnDemand(when);
  return ui ? children(ui) : null;
}

/**
 * A button that opens an on-demand menu or dialog. Until the code is here it is the same button,
 * and a click asks for it; then `render` draws the real thing, opened when a click asked for it,
 * and focused when the plain button had the focus (a keyboard user keeps their place).
 */
export function OnDemandTrigger({
  button,
  popup,
  render,
}: {
  button: ReactElement<{
    onClick?: () => void;
    onFocus?: () => void;
    onBlur?: () => void;
    onKeyDown?: (event: KeyboardEvent) => void;
    "aria-haspopup"?: "menu" | "dialog";
    "aria-expanded"?: boolean;
  }>;
  /** What it opens, for assistive technology (as Radix's own trigger says). */
  popup: "menu" | "dialog";
  render: (ui: OnDemandUi, opened: boolean) => ReactNode;
}) {
  const [clicked, setClicked] = useState(false);
  const focused = useRef(false);
  const box = useRef<HTMLSpanElement>(null);
  const ui = useOnDemand(clicked);
  useLayoutEffect(() => {
    if (ui && focused.current && !clicked) box.current?.querySelector<HTMLElement>("button")?.focus();
  }, [ui, clicked]);
  return (
    <span ref={box} className="contents">
      {ui
        ? render(ui, clicked)
        : cloneElement(button, {
            "aria-haspopup": popup,
            "aria-expanded": false,
            onClick: () => setClicked(true),
            // As Radix's own triggers open: a menu also on Enter, Space or the down arrow.
            onKeyDown: (event: KeyboardEvent) => {
              if (OPENING_KEYS.has(event.key)) setClicked(true);
            },
            onFocus: () => (focused.current = true),
            onBlur: () => (focused.current = false),
          })}
    </span>
  );
}
