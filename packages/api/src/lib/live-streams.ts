/**
 * Counts the live-update streams open in this process against their caps (per session and per
 * user; for guests per pass, per link and per client address). Plumbing every instance's services
 * hold; what a stream may see, and closing it when that access is gone, is access/streams.ts.
 */
import { AppError } from "./errors";

export interface LiveStreamPolicy {
  /** Streams held open at once per session, and per user (on each web instance). */
  perSession: number;
  perUser: number;
  /** Guests' status streams open at once per guest pass, per guest link and per client address. */
  perGuestPass: number;
  perGuestLink: number;
  perAddress: number;
  /** Streams re-check their access this often even when no change is announced (e.g. a session's expiry). */
  recheckMs: number;
}

export const LIVE_STREAM_POLICY: LiveStreamPolicy = {
  perSession: 5,
  perUser: 20,
  perGuestPass: 5,
  perGuestLink: 100,
  perAddress: 10,
  recheckMs: 60_000,
};

export interface StreamHolder {
  sessionId: string;
  userId: string;
}

/** A guest's status stream: counted per pass, per link and per client address. */
export interface GuestStreamHolder {
  passId: string;
  linkId: string;
  ip: string | null;
}

/** Counts the live-update streams open in this process. */
export function createLiveStreamRegistry(policy: LiveStreamPolicy = LIVE_STREAM_POLICY) {
  const counts = new Map<string, number>();
  const bump = (key: string, by: number) => {
    const next = (counts.get(key) ?? 0) + by;
    if (next > 0) counts.set(key, next);
    else counts.delete(key);
  };
  /** Counts one stream against each cap, or throws for the first cap already reached. */
  function claimAll(caps: { key: string; limit: number; what: string }[]): () => void {
    for (const cap of caps) {
      if ((counts.get(cap.key) ?? 0) >= cap.limit)
        throw tooManyLiveStreams(`${cap.what} (at most ${cap.limit})`);
    }
    for (const cap of caps) bump(cap.key, 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      for (const cap of caps) bump(cap.key, -1);
    };
  }
  return {
    policy,
    /** Counts one more stream; TOO_MANY_REQUESTS past a cap. The returned release may be called any number of times. */
    claim(holder: StreamHolder): () => void {
      return claimAll([
        {
          key: `session:${holder.sessionId}`,
          limit: policy.perSession,
          what: "Too many live updates open in this browser",
        },
        {
          key: `user:${holder.userId}`,
          limit: policy.perUser,
          what: "Too many live updates open for your account",
        },
      ]);
    },
    /** The same for a guest's status stream. */
    claimGuest(holder: GuestStreamHolder): () => void {
      return claimAll([
        {
          key: `pass:${holder.passId}`,
          limit: policy.perGuestPass,
          what: "Too many live updates open for this guest pass",
        },
        {
          key: `link:${holder.linkId}`,
          limit: policy.perGuestLink,
          what: "Too many guests are waiting through this link",
        },
        ...(holder.ip
          ? [
              {
                key: `address:${holder.ip}`,
                limit: policy.perAddress,
                what: "Too many live updates open from your network address",
              },
            ]
          : []),
      ]);
    },
  };
}

export type LiveStreamRegistry = ReturnType<typeof createLiveStreamRegistry>;

const tooManyLiveStreams = (what: string) =>
  new AppError(
    "TOO_MANY_REQUESTS",
    `${what}. Close some Parlor tabs, then reload this page; until then it still refreshes on its own, only less often.`,
    { retryAfterSeconds: 30 },
  );
