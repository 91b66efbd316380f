/**
 * The app's own origin from APP_URL, read the way @parlor/api's config reads it (blank means
 * unset). The proxy uses this instead of the full config, which would pull the database into it.
 * Its validity is checked at start by instrumentation.
 */
export function appOriginFromEnv(env: Record<string, string | undefined> = process.env): string | undefined {
  const value = env.APP_URL?.trim();
  if (!value) return undefined;
  try {
    return new URL(value).origin;
  } catch {
    return undefined;
  }
}
