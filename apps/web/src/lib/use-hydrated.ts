import { useSyncExternalStore } from "react";

const noSubscription = () => () => undefined;

/**
 * False while the server renders and while the page hydrates, true after: parts whose code loads
 * on demand render their stand-in until then, so they are neither in the server's HTML nor
 * fetched before the page is interactive.
 */
export function useHydrated(): boolean {
  return useSyncExternalStore(
    noSubscription,
    () => true,
    () => false,
  );
}
