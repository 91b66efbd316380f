/** A route parameter as typed in the address bar: percent-decoded when it was encoded. */
export function decodeParam(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
