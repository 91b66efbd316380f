import "server-only";

import { safeNextPath } from "@parlor/api/schemas";
import { createCaller, createContext, getServices } from "@parlor/api/server";
import { TRPCError } from "@trpc/server";
import { headers } from "next/headers";
import { notFound, redirect, unstable_rethrow } from "next/navigation";
import { cache } from "react";

import { PATH_HEADER, signInPath } from "@/lib/request-path";

/**
 * A tRPC caller for Server Components, built once per request from the request's headers (and
 * so its session cookie). Server Components cannot set cookies: a refreshed session cookie is
 * sent by the next client-side call instead.
 */
export const serverApi = cache(async () => {
  // Reading the headers first marks the page as rendered per request, before anything touches
  // the database (which a build must never do).
  const requestHeaders = await headers();
  const services = await getServices();
  return createCaller(createContext(services, { headers: requestHeaders }));
});

/** The signed-in user for this request, or null. */
export const getCurrentUser = cache(async () => (await serverApi()).auth.me());

/**
 * The signed-in user, or null, also when that cannot be known now (the database is down): for
 * pages that work signed out, like sign-in, which then show and explain the failure on submit.
 */
export async function getCurrentUserIfKnown() {
  try {
    return await getCurrentUser();
  } catch (error) {
    unstable_rethrow(error);
    return null;
  }
}

/** The path being rendered, as the proxy reported it; safe to use as a `next` target. */
export async function currentPath(): Promise<string> {
  return safeNextPath((await headers()).get(PATH_HEADER));
}

/** The signed-in user; a signed-out visitor is sent to sign in and brought back afterwards. */
export async function requireUser() {
  const user = await getCurrentUser();
  if (!user) redirect(signInPath(await currentPath()));
  return user;
}

/**
 * Runs a server call for a page: no session → sign in and come back; not found, not allowed to
 * know (another team's), or an address that cannot name anything → the not-found page. Other
 * failures reach the error boundary.
 */
export async function loadForPage<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    if (error instanceof TRPCError) {
      if (error.code === "UNAUTHORIZED") redirect(signInPath(await currentPath()));
      if (error.code === "NOT_FOUND" || error.code === "FORBIDDEN" || error.code === "BAD_REQUEST")
        notFound();
    }
    throw error;
  }
}
