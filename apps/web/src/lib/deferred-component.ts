import { useCallback, useEffect, useState, type ComponentType } from "react";

export interface DeferredComponent<P> {
  /** The component once its code has loaded; null until then (render a stand-in). */
  Component: ComponentType<P> | null;
  /** Loads again after a failed load (a stand-in's click calls it); nothing when loaded or loading. */
  retry: () => void;
}

/**
 * A component whose code loads once the page is interactive, without `React.lazy`. A lazy
 * component suspends, and after a Suspense fallback has been shown React holds back every commit
 * that reveals suspended content for up to 300 ms (its fallback throttle): on the room page the
 * menus' fallbacks held back the page's own hydration, and the camera preview's start with it.
 * Here nothing suspends: callers render their stand-in until the code is there.
 */
export function deferredComponent<P>(load: () => Promise<ComponentType<P>>): () => DeferredComponent<P> {
  let loaded: ComponentType<P> | null = null;
  let pending: Promise<ComponentType<P>> | null = null;
  const start = () => {
    pending ??= load().then(
      (component) => (loaded = component),
      (error: unknown) => {
        pending = null; // the next attempt loads again
        throw error;
      },
    );
    return pending;
  };

  return function useDeferredComponent() {
    // Only ever `loaded` on a page that navigated here in the browser (no hydration to match).
    const [Component, setComponent] = useState<ComponentType<P> | null>(() => loaded);
    const [attempt, setAttempt] = useState(0);
    useEffect(() => {
      if (Component) return;
      let current = true;
      start().then(
        (component) => current && setComponent(() => component),
        () => undefined, // the stand-in stays; `retry` tries again
      );
      return () => {
        current = false;
      };
    }, [Component, attempt]);
    const retry = useCallback(() => setAttempt((n) => n + 1), []);
    return { Component, retry };
  };
}
