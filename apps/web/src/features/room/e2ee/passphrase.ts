/**
 * An encrypted room's passphrase in the browser: from the link's `#passphrase=…` fragment (which
 * browsers never send to a server), or typed on the pre-join; remembered for the tab's session
 * only (sessionStorage), per room. It never goes into a query string, a log or an API call.
 */
import { useCallback, useEffect, useState } from "react";

const FRAGMENT_KEY = "passphrase";
const storageKey = (teamSlug: string, roomSlug: string) => `parlor.e2ee.${teamSlug}/${roomSlug}`;

/** The passphrase in a URL fragment (`#passphrase=…`), or null. */
export function passphraseFromFragment(hash: string): string | null {
  const value = new URLSearchParams(hash.replace(/^#/, "")).get(FRAGMENT_KEY);
  return value ? value : null;
}

/** The room's address with the passphrase in its fragment, for inviting people. */
export function inviteLink(roomUrl: string, passphrase: string): string {
  const url = new URL(roomUrl);
  url.search = "";
  url.hash = new URLSearchParams({ [FRAGMENT_KEY]: passphrase }).toString();
  return url.toString();
}

/** Letters and digits that read back without doubt (no 0/o, 1/l/i). */
const PASSPHRASE_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789";

/**
 * A new passphrase for the first person in an encrypted room: 20 random characters (about 99
 * bits) in groups of five, easy to read out and type: `k7qmz-3hwpe-…`.
 */
export function generatePassphrase(
  random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b),
) {
  const chars: string[] = [];
  // Rejection sampling keeps every character equally likely (256 is not a multiple of 31).
  const limit = 256 - (256 % PASSPHRASE_ALPHABET.length);
  while (chars.length < 20) {
    for (const byte of random(new Uint8Array(32))) {
      if (byte < limit && chars.length < 20)
        chars.push(PASSPHRASE_ALPHABET[byte % PASSPHRASE_ALPHABET.length]!);
    }
  }
  return [0, 5, 10, 15].map((i) => chars.slice(i, i + 5).join("")).join("-");
}

function readStored(key: string): string | null {
  try {
    return sessionStorage.getItem(key);
  } catch {
    return null;
  }
}

function store(key: string, value: string) {
  try {
    if (value) sessionStorage.setItem(key, value);
    else sessionStorage.removeItem(key);
  } catch {
    // Storage off (private mode, quota): the passphrase is simply not remembered.
  }
}

/**
 * The passphrase for this room: the link's fragment first (then taken out of the address bar, so
 * it is not shown while screen sharing nor copied with the address by accident), else what this
 * tab remembered. Read after hydration: the server knows neither.
 */
export function useRoomPassphrase(teamSlug: string, roomSlug: string, enabled: boolean) {
  const key = storageKey(teamSlug, roomSlug);
  const [passphrase, setPassphrase] = useState("");
  const [fromLink, setFromLink] = useState(false);

  useEffect(() => {
    if (!enabled) return;
    const fromFragment = passphraseFromFragment(window.location.hash);
    if (fromFragment) {
      store(key, fromFragment);
      const { pathname, search } = window.location;
      window.history.replaceState(window.history.state, "", pathname + search);
    }
    const found = fromFragment ?? readStored(key);
    // Browser-only state, read once after hydration.
    if (found) setPassphrase(found);
    setFromLink(fromFragment !== null);
  }, [enabled, key]);

  const change = useCallback((value: string) => {
    setPassphrase(value);
    setFromLink(false);
  }, []);
  /** Kept for this tab once it was used to join. */
  const remember = useCallback((value: string) => store(key, value), [key]);
  return { passphrase, fromLink, change, remember };
}
