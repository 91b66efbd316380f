/**
 * Limits of the tRPC endpoint that its clients must respect too. Client-safe: constants only.
 */

/** Calls in one batched request; the web client's batch link sends no more. */
export const MAX_BATCH_SIZE = 10;

/**
 * Procedures never batched: each is its own request, so each is throttled and answered on its
 * own (a batch of hundreds of sign-in guesses was once one request).
 */
export const UNBATCHED_PATHS: ReadonlySet<string> = new Set([
  "auth.signIn",
  "auth.signUp",
  "auth.signOut",
  "auth.changePassword",
  "auth.deleteAccount",
  "auth.requestPasswordReset",
  "auth.resetPassword",
]);

/** Largest request body: well above the largest legitimate input (a few kB), far below harm. */
export const MAX_BODY_BYTES = 64 * 1024;

/** Deepest nesting of arrays and objects in a request's JSON (Parlor's inputs need under 10). */
export const MAX_JSON_DEPTH = 32;
