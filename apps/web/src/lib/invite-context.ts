import "server-only";

import { unstable_rethrow } from "next/navigation";

import { serverApi } from "@/trpc/server";

const INVITE_PATH = /^\/invite\/([^/?#]+)$/;

/**
 * When a sign-in or sign-up comes from an invite link (`next` is `/invite/<token>`): the invite's
 * team and who sent it, to say so on the form, and where to go afterwards so the team is joined
 * without pressing Join again. Null for any other `next`, or an invite that cannot be used.
 */
export async function inviteContext(next: string) {
  const match = INVITE_PATH.exec(next);
  if (!match) return null;
  try {
    const preview = await (await serverApi()).team.previewInvite({ token: decodeURIComponent(match[1]!) });
    return { ...preview, next: `${next}?join=1` };
  } catch (error) {
    unstable_rethrow(error);
    return null;
  }
}

/** Whether nobody has an account yet (unknown counts as no: the database may be down). */
export async function isFirstRun(): Promise<boolean> {
  try {
    return (await (await serverApi()).auth.firstRun()).firstRun;
  } catch (error) {
    unstable_rethrow(error);
    return false;
  }
}
