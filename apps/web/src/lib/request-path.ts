/** The request header the proxy sets to the path (and query) being rendered. */
export const PATH_HEADER = "x-parlor-path";

/** `/sign-in`, bringing the visitor back to `next` afterwards (nothing to add for the home page). */
export function signInPath(next: string): string {
  return next === "/" ? "/sign-in" : `/sign-in?next=${encodeURIComponent(next)}`;
}

/** `/sign-up`, keeping where to go afterwards. */
export function signUpPath(next: string): string {
  return next === "/" ? "/sign-up" : `/sign-up?next=${encodeURIComponent(next)}`;
}
